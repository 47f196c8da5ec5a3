/**
 * Tunables of the checkout, with production defaults. Tests shorten the slow ones
 * (scrypt cost, notification back-off); nothing else changes between test and production.
 */
export interface CheckoutConfig {
  /** How long a challenge may wait for its answer (the band refuses it after this too). */
  challengeTtlMs: number;
  /** Login session lifetime (HTTP bearer token and dashboard cookie). */
  sessionTtlMs: number;
  /** The longest an unlock grant keeps the band unlocked while worn. */
  unlockSessionMaxAgeMs: number;
  enrollTtlMs: number;
  pairingCodeTtlMs: number;
  /** Password-free limits for new accounts, minor units of the trade's currency. */
  limitPerPayment: number;
  limitPerDay: number;
  lockAfterFailures: number;
  lockoutMs: number;
  maxCardsPerBand: number;
  /** Turn-off code guesses evaluated per account per window (core/turn-off.ts). */
  turnOffMaxGuesses: number;
  turnOffWindowMs: number;
  /** A signed terminal request whose timestamp is further than this from our clock is stale. */
  terminalSkewMs: number;
  /** Offset of the local day used for day limits (China Standard Time by default). */
  dayOffsetMinutes: number;
  /** scrypt cost (N = 2^log2N, r = 8, p = 1); 2^14 is the RFC 7914 interactive figure. */
  scryptLog2N: number;
  notify: { baseDelayMs: number; maxDelayMs: number; maxAttempts: number; pollMs: number; timeoutMs: number };
  maxBodyBytes: number;
}

export const defaultConfig: CheckoutConfig = {
  challengeTtlMs: 60_000,
  sessionTtlMs: 12 * 3600_000,
  unlockSessionMaxAgeMs: 24 * 3600_000,
  enrollTtlMs: 5 * 60_000,
  pairingCodeTtlMs: 10 * 60_000,
  limitPerPayment: 200_00,
  limitPerDay: 500_00,
  lockAfterFailures: 5,
  lockoutMs: 15 * 60_000,
  maxCardsPerBand: 8,
  turnOffMaxGuesses: 5,
  turnOffWindowMs: 15 * 60_000,
  terminalSkewMs: 120_000,
  dayOffsetMinutes: 480,
  scryptLog2N: 14,
  notify: { baseDelayMs: 1_000, maxDelayMs: 3600_000, maxAttempts: 8, pollMs: 500, timeoutMs: 5_000 },
  maxBodyBytes: 64 * 1024,
};

export type ConfigOverrides = Partial<Omit<CheckoutConfig, 'notify'>> & { notify?: Partial<CheckoutConfig['notify']> };

export function resolveConfig(o: ConfigOverrides | undefined): CheckoutConfig {
  return { ...defaultConfig, ...o, notify: { ...defaultConfig.notify, ...(o && o.notify) } };
}

/** The local day number a payment at `now` counts against. */
export function dayOf(config: CheckoutConfig, now: number): number {
  return Math.floor((now + config.dayOffsetMinutes * 60_000) / 86_400_000);
}
