/**
 * Rate limits in the shared PostgreSQL database, through rate-limiter-flexible's
 * RateLimiterPostgres on the store's pool: each attempt is one upsert, so every checkout
 * process counts against the same row and the limit holds across them.
 */
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitRule, RateLimiter } from '../store.ts';
import { type PgDatabase, retrying } from './connect.ts';

/** Delete finished windows every this many attempts (as the SQLite store does). */
const SWEEP_EVERY = 1_000;

export class PgRateLimiters {
  private attempts = 0;

  constructor(private readonly db: PgDatabase) {}

  create(name: string, rule: RateLimitRule): RateLimiter {
    const limiter = new RateLimiterPostgres({
      storeClient: this.db.pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true, // migration 1
      // Finished windows are deleted by the store's sweep, not by a timer per limiter.
      clearExpiredByTimeout: false,
      keyPrefix: name,
      points: rule.points,
      duration: rule.windowMs / 1000,
      // Once refused, this process refuses the key until its window ends without writing
      // again; it only ever refuses what the shared count already refused.
      inMemoryBlockOnConsumed: rule.points + 1,
    });
    return {
      consume: async (key) => {
        if (++this.attempts % SWEEP_EVERY === 0)
          await this.db.query('DELETE FROM rate_limits WHERE expire < $1', [Date.now()]);
        try {
          // Two processes upserting one key at once: one fails to serialize and counts again.
          await retrying(
            () => limiter.consume(key),
            () => {
              this.db.retries += 1;
            },
          );
          return { allowed: true };
        } catch (e) {
          if (!(e instanceof RateLimiterRes)) throw e;
          return { allowed: false, retryAfterMs: Math.max(1, e.msBeforeNext) };
        }
      },
    };
  }
}
