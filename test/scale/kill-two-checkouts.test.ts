/**
 * SIGKILL of one of two checkout processes sharing one PostgreSQL, under load (issue 13,
 * "Faults"): bands × payments through both `wristpay checkout start --db postgres://…`
 * children, each payment's requests spread over the two; at seeded points one process is
 * killed with SIGKILL (no handler runs, its connections just drop) and started again, while
 * the load carries on through the other. A request the dead process never answered is sent
 * again to the live one (test/scale/helpers/pg-load.ts). Afterwards:
 *
 * - 0 lost: every payment of the load is in the ledger, paid exactly once with its amount,
 *   read back through the store (PgStore);
 * - 0 duplicate: no trade, challenge or card counter paid twice, day totals and counters
 *   add up (the invariants of test/hardening/helpers/ledger-check.ts, on PostgreSQL);
 * - every answer in flight at a kill was either paid when posted again, or REPLAYED because
 *   its first post had committed (and its trade is then paid);
 * - payments = trades = bands × payments, and the amounts add up.
 *
 * The 200 bands × 20 payments is the long run (`WRISTPAY_HARDENING=long npx vitest
 * run test/scale/kill-two-checkouts.test.ts`, six kills); CI runs 30 × 20 with two kills, to stay within a minute
 * on two cores (setting up 200 owners with bands alone takes half of that).
 */
import { afterAll, expect, it } from 'vitest';
import { type PgStore, openPgStore } from '../../checkout/postgres/store.ts';
import { type ChildCheckout, startChildCheckout } from '../hardening/helpers/child-checkout.ts';
import { Rng } from '../hardening/helpers/fuzz-gen.ts';
import { setUpWorld } from '../hardening/helpers/kill-load.ts';
import { SEED, reportFigures, scaled } from '../hardening/helpers/scale.ts';
import { usePostgres } from '../support/postgres.ts';
import { needs, requirements } from '../support/requirements.ts';
import { expectLedgerMatchesLoad } from './helpers/pg-ledger.ts';
import { type Processes, emptyFigures, runLoad } from './helpers/pg-load.ts';
import { startSetupCheckout } from './helpers/setup-checkout.ts';

const LANES = scaled(30, 200);
const PAYMENTS = 20;
const KILLS = scaled(2, 6);

const figures = {
  lanes: LANES,
  paymentsPerLane: PAYMENTS,
  kills: 0,
  restartMs: [] as number[],
  setupMs: 0,
  loadMs: 0,
  ...emptyFigures(),
};

needs(requirements.postgres).describe('SIGKILL of one of two checkout processes on one PostgreSQL, under load', () => {
  const pg = usePostgres();
  const children: ChildCheckout[] = [];
  let store: PgStore | undefined;
  afterAll(async () => {
    reportFigures('kill-two-checkouts', { seed: SEED, ...figures });
    for (const c of children) await c.kill();
    await store?.close();
  });

  it(
    'loses nothing and pays nothing twice; every payment is paid exactly once',
    async () => {
      const db = await pg.database();
      let started = performance.now();
      const setup = await startSetupCheckout(db);
      const w = await setUpWorld(setup.url, LANES, 8, Math.ceil(LANES / 50));
      await setup.close();
      figures.setupMs = Math.round(performance.now() - started);
      children.push(...(await Promise.all([startChildCheckout(db), startChildCheckout(db)])));
      const procs: Processes = { urls: children.map((c) => c.url), killed: new Set() };

      const total = LANES * PAYMENTS;
      const rng = new Rng(SEED);
      // Kill points spread over the load, each moved by a seeded amount; victims take turns.
      const killAt = Array.from(
        { length: KILLS },
        (_, k) => Math.floor((total * (k + 1)) / (KILLS + 1)) + rng.int(Math.floor(total / (4 * (KILLS + 1)))),
      );
      let kills: Promise<void> = Promise.resolve();
      const killAndRestart = async (victim: number): Promise<void> => {
        const c = children[victim];
        procs.urls[victim] = undefined; // the balancer stops sending; requests in flight are cut by the kill
        procs.killed.add(c.url);
        await c.kill();
        figures.kills += 1;
        const started = performance.now();
        children[victim] = await startChildCheckout(db);
        figures.restartMs.push(Math.round(performance.now() - started));
        procs.urls[victim] = children[victim].url;
      };
      let paid = 0;
      let armed: number | undefined;
      const onPaid = () => {
        paid += 1;
        const k = killAt.indexOf(paid);
        if (k >= 0) armed = k % 2; // victims take turns: the other stays up
      };
      // The kill lands right after a request went out to the victim, so at least one is cut
      // (the test process's own crypto is often the bottleneck, the children then idle).
      procs.sent = (index) => {
        if (armed !== index) return;
        armed = undefined;
        kills = kills.then(() => killAndRestart(index)); // one at a time
      };

      started = performance.now();
      const attempts = await runLoad(
        w,
        procs,
        { paymentsPerLane: PAYMENTS, amountOf: (lane, n) => 100 + ((lane * 31 + n * 17) % 900), onPaid },
        figures,
      );
      figures.loadMs = Math.round(performance.now() - started);
      await kills;
      expect(figures.kills).toBe(KILLS);
      // The kills cut requests in flight.
      expect(figures.connectionErrors, 'requests cut by a kill').toBeGreaterThan(0);
      expect(figures.unreachable, 'the database stayed up').toBe(0);

      store = await openPgStore(db, { poolSize: 8 });
      await expectLedgerMatchesLoad(db, store, attempts, total);

      // Both processes still answer, and stop cleanly.
      for (const c of children.splice(0)) expect(await c.stop()).toBe(0);
    },
    scaled(240_000, 1_200_000),
  );
});
