import type { AttemptPolicy } from '../store.ts';

/**
 * Tunables of the checkout, with production defaults: the CLI and the test harness start
 * with exactly these. A test that needs cheaper scrypt, quicker retries or looser limits
 * passes its own overrides.
 */
import type { RateLimitRule } from '../store.ts';

/** Attempts per window at the HTTP edge (core/rate-limits.ts), decided in the store. */
export interface RateLimitConfig {
  /** Account-password checks (POST /v1/sessions, web POST /login, POST /v1/unlock) per client address. */
  loginPerClient: RateLimitRule;
  /** The same checks per username, from clients that have not proved they are trusted. */
  loginPerAccount: RateLimitRule;
  /** POST /v1/accounts per client address. */
  registerPerClient: RateLimitRule;
  /** POST /v1/trades/:no/pay-password per terminal. */
  payPasswordPerTerminal: RateLimitRule;
  /** The same per payer (username), across all terminals. */
  payPasswordPerAccount: RateLimitRule;
  /** Enrollment offers (POST /v1/bands/enroll) per owner account: each is a row until it expires. */
  enrollPerAccount: RateLimitRule;
  /** Pairing codes (POST /v1/merchant/pairing-codes, the merchant page's button) per merchant. */
  pairingCodePerMerchant: RateLimitRule;
}

/** The password-hash queue (core/hash-queue.ts): scrypt calls at once and how long others may wait. */
export interface HashQueueConfig {
  concurrency: number;
  /** Waiting calls per lane (normal, trusted); one more is refused RATE_LIMITED at once. */
  maxWaiting: number;
  /** A waiting call not started by then is refused RATE_LIMITED, having computed nothing. */
  maxWaitMs: number;
}

export interface CheckoutConfig {
  /** How long a challenge may wait for its answer (the band refuses it after this too). */
  challengeTtlMs: number;
  /** Login session lifetime (HTTP bearer token and dashboard cookie). */
  sessionTtlMs: number;
  /** The longest an unlock grant keeps the band unlocked while worn. */
  unlockSessionMaxAgeMs: number;
  enrollTtlMs: number;
  pairingCodeTtlMs: number;
  /** Password-free limits for new accounts, in minor units of `limitCurrency`. */
  limitPerPayment: number;
  limitPerDay: number;
  /** The currency the password-free limits and day totals are kept in (limit-currency.ts). */
  limitCurrency: string;
  /**
   * Fixed rates into `limitCurrency`: its minor units per 10 000 minor units of each other
   * currency, set at the high end so a conversion never lets more through than the limit
   * means. A currency without a rate is never password-free (it needs the button press).
   */
  limitRates: Record<string, number>;
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
  /** Turn-off code guesses evaluated per account per window (core/turn-off.ts). */
  turnOffMaxGuesses: number;
  turnOffWindowMs: number;
  /** A signed terminal request whose timestamp is further than this from our clock is stale. */
  terminalSkewMs: number;
  /** Offset of the local day used for day limits (China Standard Time by default). */
  dayOffsetMinutes: number;
  /** scrypt cost (N = 2^log2N, r = 8, p = 1); 2^14 is the RFC 7914 interactive figure. */
  scryptLog2N: number;
  notify: {
    baseDelayMs: number;
    maxDelayMs: number;
    maxAttempts: number;
    pollMs: number;
    timeoutMs: number;
    /**
     * Notification targets allowed although they are not public addresses (notify-target.ts):
     * "host:port" as written in the URL (e.g. "127.0.0.1:8999", "[::1]:8999") or a CIDR
     * ("10.0.0.0/8"). Empty in production: a merchant's notifyUrl must be on the internet.
     */
    allowHosts: string[];
  };
  maxBodyBytes: number;
  /** An unpaid trade closes this long after its creation (Alipay closes unpaid trades after a timeout too). */
  tradeTtlMs: number;
  /** Unpaid, unexpired trades one terminal may hold open at once (QUOTA_EXCEEDED above). */
  maxOpenTradesPerTerminal: number;
  /** Live login sessions per account; a new login evicts the oldest beyond this. */
  maxSessionsPerAccount: number;
  /** Unanswered, unexpired challenges per band (QUOTA_EXCEEDED above). */
  maxOpenChallengesPerBand: number;
  /** How often the expiry sweep runs, and how many rows of each kind one run may touch. */
  sweepIntervalMs: number;
  sweepBatch: number;
  /** Expired challenges are kept this long (a late answer is told EXPIRED, not NOT_FOUND), then deleted. */
  expiredChallengeRetainMs: number;
  hashQueue: HashQueueConfig;
  rateLimits: RateLimitConfig;
}

export const defaultConfig: CheckoutConfig = {
  challengeTtlMs: 60_000,
  sessionTtlMs: 12 * 3600_000,
  unlockSessionMaxAgeMs: 24 * 3600_000,
  enrollTtlMs: 5 * 60_000,
  pairingCodeTtlMs: 10 * 60_000,
  limitPerPayment: 200_00,
  limitPerDay: 500_00,
  limitCurrency: 'CNY',
  // About 2025's rates, rounded up (CNY fen per 10 000 minor units). An operator who wants
  // market rates sets this table; the limits only need to be no looser than intended.
  limitRates: { HKD: 9_300, MOP: 9_000, USD: 73_000, EUR: 85_000, GBP: 97_000, SGD: 57_000, JPY: 500 },
  loginThrottle: { limit: 5, lockMs: 60_000, maxLockMs: 3600_000, forgetMs: 24 * 3600_000 },
  deviceThrottle: { limit: 5, lockMs: 60_000, maxLockMs: 3600_000, forgetMs: 24 * 3600_000 },
  deviceTokenTtlMs: 90 * 24 * 3600_000,
  payPasswordLimit: 5,
  terminalPayFailures: { limit: 10, minPayers: 3, windowMs: 24 * 3600_000 },
  maxCardsPerBand: 8,
  turnOffMaxGuesses: 5,
  turnOffWindowMs: 15 * 60_000,
  terminalSkewMs: 120_000,
  dayOffsetMinutes: 480,
  scryptLog2N: 14,
  notify: { baseDelayMs: 1_000, maxDelayMs: 3600_000, maxAttempts: 8, pollMs: 500, timeoutMs: 5_000, allowHosts: [] },
  maxBodyBytes: 64 * 1024,
  // Long enough that a payer throttled at the till (its first windows are minutes) can still pay.
  tradeTtlMs: 30 * 60_000,
  maxOpenTradesPerTerminal: 100,
  maxSessionsPerAccount: 10,
  maxOpenChallengesPerBand: 16,
  sweepIntervalMs: 60_000,
  sweepBatch: 500,
  expiredChallengeRetainMs: 3600_000,
  // Two scrypt calls at once: each holds a libuv thread-pool thread (4 by default) and a core
  // for ~40 ms at 2^14; two leave threads for DNS and file work and keep a flood from taking
  // every core. Eight waiting per lane is ~0.2 s of work, so a waiting login still answers
  // quickly; the rest are refused at once instead of piling up (OWASP Authentication Cheat
  // Sheet: protect against automated attacks without letting them exhaust the server).
  hashQueue: { concurrency: 2, maxWaiting: 8, maxWaitMs: 500 },
  // Attempts per fixed window (docs/CHECKOUT.md, "Rate limits"): room for people who mistype
  // or share an address, far below what a script wants. Guesses per account are bounded by
  // the lockout and the payment-password block whatever these allow; these bound the work.
  rateLimits: {
    loginPerClient: { points: 20, windowMs: 5 * 60_000 },
    loginPerAccount: { points: 10, windowMs: 5 * 60_000 },
    registerPerClient: { points: 10, windowMs: 3600_000 },
    payPasswordPerTerminal: { points: 20, windowMs: 10 * 60_000 },
    payPasswordPerAccount: { points: 10, windowMs: 15 * 60_000 },
    enrollPerAccount: { points: 20, windowMs: 10 * 60_000 },
    pairingCodePerMerchant: { points: 20, windowMs: 10 * 60_000 },
  },
};

export type ConfigOverrides = Partial<Omit<CheckoutConfig, 'notify' | 'hashQueue' | 'rateLimits'>> & {
  notify?: Partial<CheckoutConfig['notify']>;
  hashQueue?: Partial<HashQueueConfig>;
  rateLimits?: Partial<RateLimitConfig>;
};

export function resolveConfig(o: ConfigOverrides | undefined): CheckoutConfig {
  return {
    ...defaultConfig,
    ...o,
    notify: { ...defaultConfig.notify, ...o?.notify },
    hashQueue: { ...defaultConfig.hashQueue, ...o?.hashQueue },
    rateLimits: { ...defaultConfig.rateLimits, ...o?.rateLimits },
  };
}

/** The local day number a payment at `now` counts against. */
export function dayOf(config: CheckoutConfig, now: number): number {
  return Math.floor((now + config.dayOffsetMinutes * 60_000) / 86_400_000);
}
