/**
 * The PostgreSQL connection pool the PostgreSQL store runs on (node-postgres, `pg`), and the
 * two ways the store talks through it: one statement (`one`) or one transaction (`tx`).
 *
 * Every transaction is SERIALIZABLE (set per connection): the store's methods read, decide and
 * write, and under SERIALIZABLE PostgreSQL (and CockroachDB, whose default it is, and
 * YugabyteDB) aborts one of two transactions whose reads and writes overlap (SQLSTATE 40001)
 * instead of letting both act on what the other changed. Such an abort wrote nothing, so
 * the store runs it again, a bounded number of times, as the PostgreSQL manual advises
 * (https://www.postgresql.org/docs/15/transaction-iso.html#XACT-SERIALIZABLE, "applications
 * using this level must be prepared to retry transactions due to serialization failures").
 */
import pg from 'pg';
import { isUnavailable, unavailable } from './unavailable.ts';

/** Something that runs a statement: the pool, or the client holding an open transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

export interface PgOptions {
  /** Connections this process keeps at most (pg.Pool `max`). */
  poolSize?: number;
  /** How long a statement may take before the server cancels it. */
  statementTimeoutMs?: number;
}

/** SQLSTATEs after which the whole transaction can be run again: it was rolled back, nothing written. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TRIES = 20;

const INT8 = 20;
const BYTEA = 17;
const NUMERIC = 1700;

/**
 * BIGINT (times in ms, amounts) and SUM()'s NUMERIC as JS numbers: every value the checkout
 * stores is below 2^53 (ids of milliseconds, minor units). BYTEA as a plain Uint8Array view,
 * as the protocol code wants, without copying the Buffer pg made.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    if (oid === BYTEA) {
      const parse = pg.types.getTypeParser(BYTEA, 'text') as (v: string) => Buffer;
      return (v: string) => {
        const b = parse(v);
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      };
    }
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export class PgDatabase implements Queryable {
  readonly pool: pg.Pool;
  /** Transactions run again after a serialization failure or deadlock (metrics: contention). */
  retries = 0;
  private readonly counted = (): void => {
    this.retries += 1;
  };

  constructor(url: string, o: PgOptions = {}) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: o.poolSize ?? 10,
      types: types as pg.CustomTypesConfig,
      statement_timeout: o.statementTimeoutMs ?? 30_000,
      connectionTimeoutMillis: 10_000,
      application_name: 'wristpay-checkout',
      // Set at connection start (no extra round trip, and before any statement can run).
      options: '-c default_transaction_isolation=serializable',
    });
    // A connection the server dropped (a restart) is removed from the pool; the next
    // statement opens a fresh one. Without a listener the error would end the process.
    this.pool.on('error', () => undefined);
  }

  /**
   * One statement in its own (serializable) transaction, run again after a serialization failure.
   * Not `pool.query`: that closes the connection whenever the statement fails, and the store
   * meets expected failures (serialization failures, unique violations it answers) under
   * load, so each would cost a new server process (a fork and its start-up, measured at about
   * one new connection per two payments). A failed statement outside a transaction leaves the
   * connection as good as before; only a broken connection is dropped.
   */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    return retrying(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      // A checked-out client has no 'error' listener of the pool's: when the server drops the
      // connection (a restart) pg rejects the query AND emits 'error', which would end the process.
      const dropped = (e: Error) => {
        broken = e;
      };
      client.on('error', dropped);
      try {
        return await client.query<R>(text, values);
      } catch (e) {
        // The server's refusal of a statement leaves the connection usable; anything else may
        // not have, nor has a server that is shutting the connection down (57P01 and kin).
        if (!(e instanceof pg.DatabaseError) || isUnavailable(e)) broken = e as Error;
        throw e;
      } finally {
        client.off('error', dropped);
        client.release(broken);
      }
    }, this.counted);
  }

  /** `fn`'s statements in one serializable transaction; the whole of it is run again after a serialization failure. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return retrying(async () => {
      const client = await this.pool.connect();
      let broken = false;
      // The server may drop the connection between this transaction's statements (a restart):
      // a checked-out client then emits 'error', which ends the process when nobody listens.
      // The next statement on it rejects anyway; the listener only marks it unusable.
      const dropped = () => {
        broken = true;
      };
      client.on('error', dropped);
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const value = await fn(client);
        await client.query('COMMIT');
        return value;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw e;
      } finally {
        client.off('error', dropped);
        client.release(broken);
      }
    }, this.counted);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Runs `run` again after a serialization failure or deadlock (it wrote nothing), a bounded
 * number of times. A database that cannot be reached is UNREACHABLE (unavailable.ts), not a bug.
 */
export async function retrying<T>(run: () => Promise<T>, onRetry?: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (isUnavailable(e)) throw unavailable(e);
      if (!isRetryable(e) || attempt >= MAX_TRIES) throw e;
      onRetry?.();
      // A little random back-off, growing: two transactions that collided do not collide again in step.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 ** attempt)));
    }
  }
}

function isRetryable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && RETRYABLE.has((e as { code?: string }).code ?? '');
}

/** A unique violation (SQLSTATE 23505), and which constraint it hit. */
export function uniqueViolation(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const err = e as { code?: string; constraint?: string };
  return err.code === '23505' ? (err.constraint ?? '') : undefined;
}

/**
 * The SQLite stores' column lists (`col AS camelName`) for PostgreSQL, which folds unquoted
 * names to lower case: the aliases quoted, so rows come back with the same keys.
 */
export function quoteAliases(columns: string): string {
  return columns.replace(/\bAS (\w+)/g, 'AS "$1"');
}
