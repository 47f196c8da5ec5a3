/**
 * The checkout commands on PostgreSQL, run as a person runs them (the bin, a real server):
 * `--db postgres://…` and WRISTPAY_DB; `checkout migrate`; a database it cannot reach or
 * whose schema is newer; and `checkout copy`, moving a shop that took real payments from its
 * SQLite file into PostgreSQL, where the checkout then serves the same accounts and keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { CheckoutClient } from '../../checkout/api/client.ts';
import {
  type OwnedBand,
  PASSWORD,
  type Terminal,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  payWithBand,
} from '../checkout/helpers/fixtures.ts';
import { pgMigrations } from '../../checkout/postgres/migrations.ts';
import { wristpay } from '../bridge/helpers/process.ts';
import { startChildCheckout } from '../hardening/helpers/child-checkout.ts';
import { usePostgres } from '../support/postgres.ts';
import { needs, requirements } from '../support/requirements.ts';

/** Every PostgreSQL migration's version (other issues append theirs), and the latest. */
const PG_VERSIONS = pgMigrations.map((m) => m.version);
const PG_LATEST = PG_VERSIONS[PG_VERSIONS.length - 1];

needs(requirements.postgres, requirements.bandImage).describe('wristpay checkout on PostgreSQL', () => {
  const server = usePostgres();

  it('migrate applies the schema once and says so; --json has the versions', async () => {
    const url = await server.database();
    const first = await wristpay(['checkout', 'migrate', '--db', url, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toEqual({ ok: true, store: 'postgres', applied: PG_VERSIONS, version: PG_LATEST });
    const again = await wristpay(['checkout', 'migrate'], { env: { WRISTPAY_DB: url } });
    expect(again.stdout).toContain(`schema version ${PG_LATEST}, nothing to apply`);
  });

  it('account add and keys list take WRISTPAY_DB; the password in the URL never appears in output', async () => {
    const url = await server.database();
    const withPassword = url.replace('wristpay@', 'wristpay:s3cret-pw@');
    const add = await wristpay(
      ['checkout', 'account', 'add', '--user', 'cafe1', '--merchant', 'Cafe One', '--password-stdin'],
      {
        stdin: `${PASSWORD}\n`,
        env: { WRISTPAY_DB: withPassword },
      },
    );
    expect(add.code, add.stderr).toBe(0);
    const keys = await wristpay(['checkout', 'keys', 'list', '--db', withPassword, '--json']);
    expect(keys.json()).toMatchObject({ ok: true, keys: [{ id: 1, state: 'active' }] });
    const child = await startChildCheckout(withPassword);
    try {
      expect(child.stdout().join('\n')).not.toContain('s3cret-pw');
      expect(child.stdout().join('\n')).toContain('wristpay:***@');
      await new CheckoutClient(child.url).loginAs('cafe1', PASSWORD);
      // The pool and the retry counter are on /metrics (PostgreSQL only: the pool).
      const metrics = await (await fetch(`${child.url}/metrics`)).text();
      expect(metrics).toMatch(/^wristpay_store_pool_connections\{state="total"\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^wristpay_store_pool_connections\{state="waiting"\} 0$/m);
      expect(metrics).toMatch(/^wristpay_store_retries_total \d+$/m);
    } finally {
      await child.stop();
    }
  });

  it('a server that is not there, or a newer schema: one error line, exit 3, nothing started', async () => {
    const nowhere = 'postgres://x@127.0.0.1:1/none';
    for (const args of [
      ['checkout', 'start', '--db', nowhere, '--port', '0', '--json'],
      ['checkout', 'migrate', '--db', nowhere, '--json'],
      ['checkout', 'keys', 'list', '--db', nowhere, '--json'],
    ]) {
      const gone = await wristpay(args);
      expect(gone.code, args.join(' ')).toBe(3);
      expect(gone.json()).toMatchObject({ ok: false, error: { name: 'UNREACHABLE', message: /ECONNREFUSED/ } });
    }
    const url = await server.database();
    expect((await wristpay(['checkout', 'migrate', '--db', url])).code).toBe(0);
    const c = new pg.Client(url);
    await c.connect();
    await c.query("INSERT INTO migrations (version, name, applied_at) VALUES (99, 'from a newer wristpay', 0)");
    await c.end();
    const newer = await wristpay(['checkout', 'start', '--db', url, '--port', '0']);
    expect(newer.code).toBe(3);
    expect(newer.stderr).toContain(`schema is version 99, newer than this wristpay knows (${PG_LATEST})`);
  });

  it('checkout copy refuses a source that is not a checkout database, and never changes it', async () => {
    const url = await server.database();
    const notADatabase = await wristpay(['checkout', 'copy', '--from', 'package.json', '--to', url, '--json']);
    expect(notADatabase.code).toBe(3);
    expect(notADatabase.json()).toMatchObject({ ok: false, error: { name: 'UNREACHABLE', message: /not a database/ } });
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-copy-'));
    try {
      const other = join(dir, 'other.db');
      const db = new Database(other);
      db.exec('CREATE TABLE notes (x TEXT)');
      db.close();
      const r = await wristpay(['checkout', 'copy', '--from', other, '--to', url, '--json']);
      expect(r.code).toBe(1);
      expect(r.json()).toMatchObject({ ok: false, error: { name: 'CONFLICT', message: /not a checkout database/ } });
      const after = new Database(other, { readonly: true });
      expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'notes' }]);
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('checkout copy: a shop moves from SQLite to PostgreSQL', () => {
    let h: Harness;
    let shop: Terminal;
    let o: OwnedBand;
    let paid = 0;
    beforeAll(async () => {
      // Production settings: the checkout started on the copy hashes passwords at its cost.
      h = await startHarness();
      shop = await merchantWithTerminal(h, 'Moving Shop');
      o = await ownerWithBand(h);
      let last = '';
      for (const amount of [12_00, 3_50, 8_00, 5_00]) {
        last = (await newTrade(shop, amount)).outTradeNo;
        await payWithBand(shop, o.band, last);
        paid += amount;
      }
      await shop.client.refund(last, { outRequestNo: 'r1', amount: 1_00 });
      // The shop's checkout is stopped before the move.
      await h.server.close();
      await h.checkout.close();
    });

    it('copies every row and key, verifies counts and totals; the checkout on the copy takes the next payment', async () => {
      const url = await server.database();
      const r = await wristpay(['checkout', 'copy', '--from', h.dbFile, '--to', url, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const summary = r.json() as { rows: Record<string, number>; totals: Record<string, number> };
      expect(summary.rows).toMatchObject({
        accounts: 2,
        bands: 1,
        cards: 1,
        terminals: 1,
        trades: 4,
        payments: 4,
        refunds: 1,
      });
      expect(summary.totals).toMatchObject({ paid, refunded: 1_00, tradeRefunded: 1_00 });
      const sqliteKeys = await wristpay(['checkout', 'keys', 'list', '--db', h.dbFile, '--json']);
      const pgKeys = await wristpay(['checkout', 'keys', 'list', '--db', url, '--json']);
      expect(pgKeys.json().keys).toEqual(sqliteKeys.json().keys);

      const child = await startChildCheckout(url);
      try {
        // The same terminal key, band keys, card and its counter, on the new database.
        const till = new CheckoutClient(child.url).withTerminal(shop.signer);
        const moved: Terminal = { ...shop, client: till };
        const trade = await newTrade(moved, 2_00);
        const answer = await payWithBand(moved, o.band, trade.outTradeNo);
        expect(answer.receipt?.amount).toBe(2_00);
        const owner = await new CheckoutClient(child.url).loginAs(o.username, PASSWORD);
        expect((await owner.ledger()).payments).toHaveLength(5);
      } finally {
        await child.stop();
      }
      const twice = await wristpay(['checkout', 'copy', '--from', h.dbFile, '--to', url, '--json']);
      expect(twice.code).toBe(1);
      expect(twice.json()).toMatchObject({ ok: false, error: { name: 'CONFLICT' } });
      expect(twice.stdout).toMatch(/not empty/);
    });
  });
});
