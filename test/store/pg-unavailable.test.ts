/**
 * A PostgreSQL server that goes away is UNREACHABLE, never a crash or a 500: a statement
 * on a stopped server, a transaction whose connection the server drops between its
 * statements (node-postgres then emits 'error' on the checked-out client: without a listener
 * that ends the process), and the HTTP answer the edge makes of it (503, Retry-After, the
 * status name). Once the server is back, the same pool works again.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Status } from '../../shared/status/codes.ts';
import { CheckoutError } from '../../checkout/core/errors.ts';
import { httpStatusOf, refusalHeaders } from '../../checkout/http/status-map.ts';
import { PgDatabase } from '../../checkout/postgres/connect.ts';
import { isUnavailable } from '../../checkout/postgres/unavailable.ts';
import { usePostgres } from '../support/postgres.ts';
import { needs, requirements } from '../support/requirements.ts';

async function unreachable(p: Promise<unknown>): Promise<CheckoutError> {
  const e = await p.then(
    () => {
      throw new Error('expected UNREACHABLE, the call succeeded');
    },
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CheckoutError);
  expect((e as CheckoutError).status).toBe(Status.UNREACHABLE);
  return e as CheckoutError;
}

describe('UNREACHABLE at the HTTP edge', () => {
  it('is 503 with Retry-After', () => {
    expect(httpStatusOf(Status.UNREACHABLE)).toBe(503);
    const e = new CheckoutError(Status.UNREACHABLE, 'x', { retryAfterMs: 1000 });
    expect(refusalHeaders(e)).toEqual({ 'retry-after': '1' });
  });

  it('recognises the driver’s connection errors, and nothing else', () => {
    for (const e of [
      { code: 'ECONNREFUSED' },
      { code: '57P01' },
      { code: '57P03' },
      { code: '08006' },
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
    ])
      expect(isUnavailable(e), JSON.stringify(e) + String(e)).toBe(true);
    for (const e of [{ code: '40001' }, { code: '23505' }, new Error('syntax error'), null, 'ECONNREFUSED'])
      expect(isUnavailable(e), String(e)).toBe(false);
  });
});

needs(requirements.postgres).describe('a PostgreSQL server that goes away', () => {
  const server = usePostgres();

  it('a dropped connection inside a transaction is UNREACHABLE, and the process lives on', async () => {
    const url = await server.database();
    const db = new PgDatabase(url, { poolSize: 2 });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const tx = db.tx(async (q) => {
        const pid = (await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        // The server's notice arrives while no statement is running: the client emits 'error'.
        await new Promise((r) => setTimeout(r, 200));
        await q.query('SELECT 1');
      });
      await unreachable(tx);
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await admin.end();
      await db.close();
    }
  });

  it('a connection dropped under a single statement is UNREACHABLE, and the process lives on', async () => {
    const url = await server.database();
    const db = new PgDatabase(url, { poolSize: 1 });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const pid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      // The pool's one connection runs a long statement; the server drops it mid-way: pg
      // rejects the statement and emits 'error' on the checked-out client at the same time.
      // The expectation is attached at once: the rejection may come while the admin's call is awaited.
      const long = unreachable(db.query('SELECT pg_sleep(5)'));
      await new Promise((r) => setTimeout(r, 200));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await long;
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await admin.end();
      await db.close();
    }
  });

  it('a stopped server is UNREACHABLE at once, with the cause kept; the pool recovers when it is back', async () => {
    const url = await server.database();
    const db = new PgDatabase(url, { poolSize: 2 });
    try {
      await db.query('SELECT 1');
      await server.server.stopServer();
      const started = performance.now();
      const e = await unreachable(db.query('SELECT 1'));
      expect(e.extras.retryAfterMs).toBeGreaterThan(0);
      expect(e.cause).toMatchObject({ code: 'ECONNREFUSED' });
      await unreachable(db.tx((q) => q.query('SELECT 1')));
      expect(performance.now() - started).toBeLessThan(5_000);
      await server.server.startServer();
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0].one).toBe(1);
    } finally {
      await db.close();
    }
  });
});
