/**
 * The band's tunables and their defaults (docs/FIRMWARE.md, "States" and "Limits and payments").
 * A host (test environment, simulator) may override any of them at boot.
 */
export interface BandConfig {
  /** Firmware version string shown in INFO (the clear info characteristic). */
  firmware: string;
  /** Raw off-skin samples must persist this long before a removal is confirmed. */
  removalDebounceMs: number;
  /** An unlocked session never outlives this, even while worn. */
  sessionMaxAgeMs: number;
  /** How long the band waits for a button press above the password-free limit. */
  confirmTimeoutMs: number;
  /**
   * At the tap, with more than one bank card in the payment's currency: how long the band waits
   * after the last press (each press shows the next card) before it pays with the card shown.
   */
  switchWindowMs: number;
  /** Interval of KEEPALIVE frames while waiting for the button. */
  keepaliveIntervalMs: number;
  /** Password-free limits until an unlock grant sets the account's own (minor units). */
  defaultLimitPerPayment: number;
  defaultLimitPerDay: number;
  /** Failed unlock grants before the band starts backing off. */
  unlockFailuresBeforeBackoff: number;
  /** First back-off; doubles with each further failure, capped at backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Cards the wallet holds at most. */
  maxCards: number;
  /** Checkout nonces remembered (with their expiry) to refuse replays. */
  replayMemory: number;
  /** A challenge whose expiry lies further ahead than this is refused (bounded validity). */
  maxChallengeLifetimeMs: number;
}

export const defaultConfig: BandConfig = {
  firmware: '0.1.0',
  removalDebounceMs: 1500,
  sessionMaxAgeMs: 24 * 3600 * 1000,
  confirmTimeoutMs: 30000,
  switchWindowMs: 3000,
  keepaliveIntervalMs: 500,
  defaultLimitPerPayment: 20000,
  defaultLimitPerDay: 50000,
  unlockFailuresBeforeBackoff: 3,
  backoffBaseMs: 2000,
  backoffMaxMs: 5 * 60 * 1000,
  maxCards: 8,
  replayMemory: 32,
  maxChallengeLifetimeMs: 10 * 60 * 1000,
};

/** Config with overrides applied (ES5: no Object.assign). */
export function withDefaults(overrides?: Partial<BandConfig>): BandConfig {
  const out = {} as BandConfig;
  const keys = Object.keys(defaultConfig) as Array<keyof BandConfig>;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const v = overrides ? overrides[k] : undefined;
    (out as unknown as Record<string, unknown>)[k] = v !== undefined ? v : defaultConfig[k];
  }
  return out;
}
