/**
 * Two `wristpay checkout start --db postgres://…` processes on one fresh database of a
 * throw-away PostgreSQL server, for one test file: a setup checkout in this process
 * (setup-checkout.ts) for cheap owners, bands and shops, and a PgStore to read the ledger
 * back as the checkout itself does. Started in beforeAll, stopped in afterAll.
 */
import { afterAll, beforeAll } from 'vitest';
import { CheckoutClient } from '../../../checkout/api/client.ts';
import { type PgStore, openPgStore } from '../../../checkout/postgres/store.ts';
import type { Terminal } from '../../checkout/helpers/fixtures.ts';
import { type ChildCheckout, type ChildOptions, startChildCheckout } from '../../hardening/helpers/child-checkout.ts';
import { usePostgres } from '../../support/postgres.ts';
import { type SetupCheckout, startSetupCheckout } from './setup-checkout.ts';

export interface TwoCheckouts {
  readonly db: string;
  readonly a: ChildCheckout;
  readonly b: ChildCheckout;
  readonly setup: SetupCheckout;
  readonly store: PgStore;
  /** The terminal `t` signing its requests to process `p`. */
  till(p: ChildCheckout, t: Terminal): CheckoutClient;
}

/** `options()`: arguments for both processes, asked for once the server runs (a port known by then). */
export function useTwoCheckouts(options: () => ChildOptions = () => ({})): TwoCheckouts {
  const pg = usePostgres();
  let state: Omit<TwoCheckouts, 'till'> | undefined;
  beforeAll(async () => {
    const db = await pg.database();
    const setup = await startSetupCheckout(db); // first: it migrates the new database
    const [a, b] = await Promise.all([startChildCheckout(db, options()), startChildCheckout(db, options())]);
    state = { db, a, b, setup, store: await openPgStore(db, { poolSize: 4 }) };
  }, 60_000);
  afterAll(async () => {
    await Promise.all([state?.a.stop(), state?.b.stop()]);
    await state?.setup.close();
    await state?.store.close();
  });
  const get = (): Omit<TwoCheckouts, 'till'> => {
    if (!state) throw new Error('the checkouts are not started yet (use them inside a test)');
    return state;
  };
  return {
    get db() {
      return get().db;
    },
    get a() {
      return get().a;
    },
    get b() {
      return get().b;
    },
    get setup() {
      return get().setup;
    },
    get store() {
      return get().store;
    },
    till: (p, t) => new CheckoutClient(p.url).withTerminal(t.signer),
  };
}
