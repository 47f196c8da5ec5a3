import type { AttemptPolicy } from '../store.ts';

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
  /**
   * Account password from a client without a valid device token (docs/CHECKOUT.md "Password
   * attempts"): 5 tries, then one try per lock window, doubling from 1 min to 1 h.
   */
  loginThrottle: AttemptPolicy;
  /** Account password from a client with a valid device token: its own counter, same shape. */
  deviceThrottle: AttemptPolicy;
  /** How long a device token stays valid after the sign-in that issued it. */
  deviceTokenTtlMs: number;
  /** Wrong payment passwords in a row (all terminals) before it is blocked until the owner unblocks it. */
  payPasswordLimit: number;
  /** A terminal with this many failed payment passwords in the window, from at least minPayers payers, is suspended. */
  terminalPayFailures: { limit: number; minPayers: number; windowMs: number };
  maxCardsPerBand: number;
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
  loginThrottle: { limit: 5, lockMs: 60_000, maxLockMs: 3600_000, forgetMs: 24 * 3600_000 },
  deviceThrottle: { limit: 5, lockMs: 60_000, maxLockMs: 3600_000, forgetMs: 24 * 3600_000 },
  deviceTokenTtlMs: 90 * 24 * 3600_000,
  payPasswordLimit: 5,
  terminalPayFailures: { limit: 10, minPayers: 3, windowMs: 24 * 3600_000 },
  maxCardsPerBand: 8,
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
