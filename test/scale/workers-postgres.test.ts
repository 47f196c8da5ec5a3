/**
 * `wristpay checkout start --workers 2 --db postgres://…` (issue 18, "Both cores"), the
 * compiled bin as a process on a real PostgreSQL (test/support/postgres.ts): band payments
 * from many tills at once through both workers, no request failing, the ledger checked
 * afterwards as after the two-process load (pg-ledger.ts); then a clean stop, exit 0.
 */
import { afterAll, expect, it } from 'vitest';
import { type PgStore, openPgStore } from '../../checkout/postgres/store.ts';
import type { ChildCheckout } from '../hardening/helpers/child-checkout.ts';
import { setUpWorld } from '../hardening/helpers/kill-load.ts';
import { usePostgres } from '../support/postgres.ts';
import { needs, requirements } from '../support/requirements.ts';
import { expectLedgerMatchesLoad } from './helpers/pg-ledger.ts';
import { emptyFigures, runLoad } from './helpers/pg-load.ts';
import { startSetupCheckout } from './helpers/setup-checkout.ts';
import { pidsThatServed, startWorkers, workerPids } from './helpers/workers.ts';

const LANES = 16;
const PAYMENTS = 8;

needs(requirements.postgres).describe('checkout start --workers 2 on PostgreSQL', () => {
  const pg = usePostgres();
  let child: ChildCheckout | undefined;
  let store: PgStore | undefined;
  afterAll(async () => {
    await child?.kill();
    await store?.close();
  });

  it('serves payments from many tills on both workers; the ledger holds every one', async () => {
    const db = await pg.database();
    const setup = await startSetupCheckout(db);
    const w = await setUpWorld(setup.url, LANES, 8, 1);
    await setup.close();
    child = await startWorkers(db, 2, { keepStderr: true, args: ['--db-pool', '4'] });
    const figures = emptyFigures();
    const attempts = await runLoad(
      w,
      { urls: [child.url], killed: new Set() },
      { paymentsPerLane: PAYMENTS, amountOf: (lane, n) => 100 + ((lane * 31 + n * 17) % 900) },
      figures,
    );
    // No request failed: runLoad throws at any refusal or 5xx (a SQLITE_BUSY would be a 500),
    // and sends again only what a kept-alive connection closing idle under it lost.
    expect(figures.firstTry + figures.closedKeepAlive).toBeGreaterThanOrEqual(LANES * PAYMENTS);
    expect(figures.connectionErrors + figures.unreachable).toBe(0);
    expect(await child.stop()).toBe(0);
    expect([...pidsThatServed(child)].sort()).toEqual(workerPids(child).sort());
    store = await openPgStore(db, { poolSize: 2 });
    await expectLedgerMatchesLoad(db, store, attempts, LANES * PAYMENTS);
  });
});
