/**
 * Rate limits in the checkout's own SQLite file, through rate-limiter-flexible's
 * RateLimiterSQLite: each attempt is one upsert (INSERT … ON CONFLICT DO UPDATE …
 * RETURNING) in its own transaction, so concurrent attempts, from this process or another
 * on the same file, are all counted and the limit holds. A PostgreSQL store would return
 * RateLimiterPostgres here.
 */
import { RateLimiterRes, RateLimiterSQLite } from 'rate-limiter-flexible';
import type { RateLimitRule, RateLimiter } from '../store.ts';
import type { Db } from './open.ts';

/** Delete finished windows every this many attempts: no timer, and a closed file is never touched. */
const SWEEP_EVERY = 1_000;

export class SqliteRateLimiters {
  private attempts = 0;

  constructor(private readonly db: Db) {}

  create(name: string, rule: RateLimitRule): RateLimiter {
    const limiter = this.limiter(name, rule);
    return {
      consume: async (key) => {
        if (++this.attempts % SWEEP_EVERY === 0)
          this.db.prepare('DELETE FROM rate_limits WHERE expire < ?').run(Date.now());
        try {
          await limiter.consume(key);
          return { allowed: true };
        } catch (e) {
          if (!(e instanceof RateLimiterRes)) throw e;
          return { allowed: false, retryAfterMs: Math.max(1, e.msBeforeNext) };
        }
      },
    };
  }

  private limiter(name: string, rule: RateLimitRule): RateLimiterSQLite {
    return new RateLimiterSQLite({
      storeClient: this.db,
      storeType: 'better-sqlite3',
      tableName: 'rate_limits',
      tableCreated: true, // migration 4
      keyPrefix: name,
      points: rule.points,
      duration: rule.windowMs / 1000,
      // Once the store has refused a key, this process refuses it until its window ends
      // without writing again: a flood of refused attempts costs no database writes. It
      // only ever refuses what the shared count already refused, so it holds across processes.
      inMemoryBlockOnConsumed: rule.points + 1,
    });
  }
}
