/**
 * A PostgreSQL restart under load (issue 13, "Faults"): two `wristpay checkout start --db
 * postgres://…` children take band payments while the database server is stopped (fast
 * shutdown: open transactions roll back, connections drop) and started again on the same
 * port and data. Requests fail cleanly and succeed when sent again:
 *
 * - every failure is a 503 with the status name UNREACHABLE and a Retry-After, and comes
 *   back quickly (no hang); never a 500, never a dropped connection: both processes live on;
 * - while the database is down /readyz answers 503 (not ready: the store does not answer)
 *   and /healthz 200 (the process is fine: no restart wanted); both are ready again soon
 *   after the database is;
 * - each failed request sent again (after Retry-After) succeeds: an answer whose first post
 *   committed before the connection dropped is REPLAYED and its trade paid, one whose
 *   transaction was rolled back is paid now;
 * - nothing half-written: the ledger invariants hold, every payment is paid exactly once
 *   with its amount, and the totals add up.
 */
import { afterAll, expect, it } from 'vitest';
import { type PgStore, openPgStore } from '../../checkout/postgres/store.ts';
import { type ChildCheckout, startChildCheckout } from '../hardening/helpers/child-checkout.ts';
import { setUpWorld } from '../hardening/helpers/kill-load.ts';
import { reportFigures, scaled } from '../hardening/helpers/scale.ts';
import { usePostgres } from '../support/postgres.ts';
import { needs, requirements } from '../support/requirements.ts';
import { expectLedgerMatchesLoad } from './helpers/pg-ledger.ts';
import { type Processes, emptyFigures, runLoad } from './helpers/pg-load.ts';
import { startSetupCheckout } from './helpers/setup-checkout.ts';

const LANES = scaled(20, 100);
const PAYMENTS = scaled(15, 40);
/** How long the database stays down: long enough that every lane runs into it. */
const DOWN_MS = 1_500;

const figures = { lanes: LANES, paymentsPerLane: PAYMENTS, downMs: 0, readyAgainMs: 0, ...emptyFigures() };

async function probe(url: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url + path, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

needs(requirements.postgres).describe('a PostgreSQL restart under load through two checkout processes', () => {
  const pg = usePostgres();
  const children: ChildCheckout[] = [];
  let store: PgStore | undefined;
  afterAll(async () => {
    reportFigures('pg-restart', figures);
    for (const c of children) await c.kill();
    await store?.close();
  });

  it('fails cleanly with 503 UNREACHABLE, succeeds when sent again, and writes nothing by halves', async () => {
    const db = await pg.database();
    const setup = await startSetupCheckout(db);
    const w = await setUpWorld(setup.url, LANES, 8);
    await setup.close();
    children.push(...(await Promise.all([startChildCheckout(db), startChildCheckout(db)])));
    const urls = children.map((c) => c.url);
    const procs: Processes = { urls: [...urls], killed: new Set() };

    const restart = async (): Promise<void> => {
      const stopped = performance.now();
      await pg.server.stopServer();
      for (const url of urls) {
        expect(await probe(url, '/readyz')).toEqual({
          status: 503,
          body: { ready: false, reason: expect.any(String) },
        });
        expect((await probe(url, '/healthz')).status).toBe(200);
      }
      await new Promise((r) => setTimeout(r, DOWN_MS));
      await pg.server.startServer();
      figures.downMs = Math.round(performance.now() - stopped);
      const up = performance.now();
      for (const url of urls)
        for (;;) {
          if ((await probe(url, '/readyz')).status === 200) break;
          expect(performance.now() - up, 'ready again after the database is').toBeLessThan(15_000);
          await new Promise((r) => setTimeout(r, 50));
        }
      figures.readyAgainMs = Math.round(performance.now() - up);
    };
    const total = LANES * PAYMENTS;
    let paid = 0;
    let restarted: Promise<void> = Promise.resolve();
    const onPaid = () => {
      if (++paid === Math.floor(total / 3)) restarted = restart();
    };

    const attempts = await runLoad(
      w,
      procs,
      { paymentsPerLane: PAYMENTS, amountOf: (lane, n) => 100 + ((lane * 37 + n * 13) % 900), onPaid },
      figures,
    );
    await restarted;
    expect(figures.readyAgainMs).toBeGreaterThan(0); // the restart happened mid-load
    expect(figures.unreachable, 'requests refused while the database was down').toBeGreaterThan(0);
    expect(figures.slowestFailureMs, 'a failing request comes back quickly').toBeLessThan(10_000);

    store = await openPgStore(db, { poolSize: 8 });
    await expectLedgerMatchesLoad(db, store, attempts, total);

    // Both processes lived through it (a crash would have cut connections: the load fails on
    // any), and stop cleanly.
    for (const c of children.splice(0)) expect(await c.stop()).toBe(0);
  }, 120_000);
});
