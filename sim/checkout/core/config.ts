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
  /** Password-free limits for new accounts, minor units of the trade's currency. */
  limitPerPayment: number;
  limitPerDay: number;
  lockAfterFailures: number;
  lockoutMs: number;
  maxCardsPerBand: number;
  /** A signed terminal request whose timestamp is further than this from our clock is stale. */
  terminalSkewMs: number;
  /** Offset of the local day used for day limits (China Standard Time by default). */
  dayOffsetMinutes: number;
  /** scrypt cost (N = 2^log2N, r = 8, p = 1); 2^14 is the RFC 7914 interactive figure. */
  scryptLog2N: number;
  notify: { baseDelayMs: number; maxDelayMs: number; maxAttempts: number; pollMs: number; timeoutMs: number };
  maxBodyBytes: number;
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
  lockAfterFailures: 5,
  lockoutMs: 15 * 60_000,
  maxCardsPerBand: 8,
  terminalSkewMs: 120_000,
  dayOffsetMinutes: 480,
  scryptLog2N: 14,
  notify: { baseDelayMs: 1_000, maxDelayMs: 3600_000, maxAttempts: 8, pollMs: 500, timeoutMs: 5_000 },
  maxBodyBytes: 64 * 1024,
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
  },
};

export type ConfigOverrides = Partial<Omit<CheckoutConfig, 'notify' | 'hashQueue' | 'rateLimits'>> & {
  notify?: Partial<CheckoutConfig['notify']>;
  hashQueue?: Partial<HashQueueConfig>;
  rateLimits?: Partial<RateLimitConfig>;
};

export function resolveConfig(o: ConfigOverrides | undefined): CheckoutConfig {
  return {
    ...defaultConfig, ...o,
    notify: { ...defaultConfig.notify, ...(o && o.notify) },
    hashQueue: { ...defaultConfig.hashQueue, ...(o && o.hashQueue) },
    rateLimits: { ...defaultConfig.rateLimits, ...(o && o.rateLimits) },
  };
}

/** The local day number a payment at `now` counts against. */
export function dayOf(config: CheckoutConfig, now: number): number {
  return Math.floor((now + config.dayOffsetMinutes * 60_000) / 86_400_000);
}
