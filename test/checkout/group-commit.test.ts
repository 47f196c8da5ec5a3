/**
 * Group commit (checkout/sqlite/group-commit.ts): payments that reach the ledger in one
 * event-loop turn share a transaction, each in its own savepoint. What must hold: every
 * caller learns its outcome only after the commit; one refusal rolls back that payment
 * alone; a failed COMMIT fails everyone in it and leaves nothing; a lone payment commits at
 * once; closing the store waits for what is queued.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../checkout/sqlite/group-commit.ts';
import type { SqliteStore } from '../../checkout/sqlite/store.ts';
import { type Terminal, merchantWithTerminal, newTrade, ownerWithBand } from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';

describe('group commit', () => {
  let dir: string;
  let db: Database.Database;
  let reader: Database.Database;
  let group: GroupCommit;
  const rows = (d: Database.Database = reader): string[] =>
    (d.prepare('SELECT v FROM t ORDER BY v').all() as Array<{ v: string }>).map((r) => r.v);
  const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wristpay-group-'));
    db = new Database(join(dir, 'g.db'));
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE p (id TEXT PRIMARY KEY);
      CREATE TABLE t (v TEXT NOT NULL UNIQUE, p TEXT REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)`);
    db.pragma('foreign_keys = ON');
    reader = new Database(join(dir, 'g.db'), { readonly: true });
    group = new GroupCommit(db);
  });
  afterEach(() => {
    reader.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits what arrives in one turn together, and tells each caller only after the commit', async () => {
    const pending = ['a', 'b', 'c'].map((v) => group.run(insert(v)));
    expect(rows()).toEqual([]); // queued: nothing written, nothing acknowledged
    expect(await Promise.all(pending)).toEqual([1, 1, 1]);
    expect(rows()).toEqual(['a', 'b', 'c']);
    expect(group.stats).toMatchObject({ transactions: 1, works: 3 });
    expect(group.stats.seconds).toBeGreaterThan(0); // time spent committing, for the metrics
  });

  it('rolls back a refused work alone; the others commit', async () => {
    const refused = new Error('refused');
    const outcomes = await Promise.allSettled([
      group.run(insert('a')),
      group.run(() => {
        insert('b')();
        throw refused; // after a write: the savepoint must undo it
      }),
      group.run(insert('a')), // UNIQUE: a SQLite error is refused the same way
      group.run(insert('c')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBe(refused);
    expect(String((outcomes[2] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(rows()).toEqual(['a', 'c']);
    expect(group.stats).toMatchObject({ transactions: 1, works: 2 });
  });

  it('fails every caller, and writes nothing, when the shared COMMIT fails', async () => {
    const outcomes = await Promise.allSettled([
      group.run(insert('a')),
      // A deferred foreign key is checked at COMMIT: this makes the shared commit fail.
      group.run(() => db.prepare(`INSERT INTO t (v, p) VALUES ('b', 'no such parent')`).run().changes),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(db.inTransaction).toBe(false);
    expect(rows()).toEqual([]);
    expect(group.stats).toMatchObject({ transactions: 0, works: 0 });
    expect(await group.run(insert('c'))).toBe(1); // and the next batch is fine
    expect(rows()).toEqual(['c']);
  });

  it('commits a lone work at the end of its turn, and separate turns separately', async () => {
    expect(await group.run(insert('a'))).toBe(1);
    expect(rows()).toEqual(['a']);
    await group.run(insert('b'));
    expect(group.stats).toMatchObject({ transactions: 2, works: 2 });
  });

  it('lets other writes (trades, challenges) share the commit without counting them as payments', async () => {
    const pending = [group.run(insert('a'), false), group.run(insert('b')), group.run(insert('c'), false)];
    expect(rows()).toEqual([]); // acknowledged only after the commit, like a payment
    expect(await Promise.all(pending)).toEqual([1, 1, 1]);
    expect(rows()).toEqual(['a', 'b', 'c']);
    expect(group.stats).toMatchObject({ transactions: 1, works: 1 });
    await group.run(insert('d'), false); // a commit without a payment is not a payment transaction
    expect(rows()).toEqual(['a', 'b', 'c', 'd']);
    expect(group.stats).toMatchObject({ transactions: 1, works: 1 });
  });

  it('drain() waits for what is queued', async () => {
    const p = group.run(insert('a'));
    await group.drain();
    expect(rows()).toEqual(['a']);
    await expect(p).resolves.toBe(1);
  });
});

describe('group commit in the checkout', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it('several bands paying at once share commits; each is paid once, with its own receipt', async () => {
    const owners = await Promise.all([0, 1, 2, 3].map(() => ownerWithBand(h)));
    const posts = await Promise.all(
      owners.map(async (o, i) => {
        const trade = await newTrade(shop, 10_00 + i);
        const challenge = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
        return { trade, challenge, answer: o.band.pay(o.band.open(challenge.message)) };
      }),
    );
    const terminal = await h.checkout.store.merchants.terminal(shop.terminalId);
    if (!terminal) throw new Error('terminal vanished');
    const store = h.checkout.store as SqliteStore;
    const before = await store.counts();
    // Answered in one turn, as concurrent requests would be, plus a replay of the first.
    const outcomes = await Promise.allSettled([
      ...posts.map((p) => h.checkout.answer(p.challenge.challengeId, p.answer, terminal)),
      h.checkout.answer(posts[0].challenge.challengeId, posts[0].answer, terminal),
    ]);
    const after = await store.counts();
    expect(outcomes.slice(0, 4).map((o) => o.status === 'fulfilled' && o.value.receipt?.amount)).toEqual([
      10_00, 10_01, 10_02, 10_03,
    ]);
    expect(outcomes[4].status).toBe('rejected');
    expect((outcomes[4] as PromiseRejectedResult).reason).toMatchObject({ status: expect.any(Number) });
    expect(after.committedPayments - before.committedPayments).toBe(4);
    expect(after.commits - before.commits).toBe(1);
    for (const p of posts)
      expect((await shop.client.queryTrade(p.trade.outTradeNo)).trade.status).toBe('TRADE_SUCCESS');
    expect((await h.checkout.store.ledger.counts()).payments).toBeGreaterThanOrEqual(4);
  });

  it('closing the store waits for a payment queued for its commit', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 7_00);
    const challenge = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const terminal = await h.checkout.store.merchants.terminal(shop.terminalId);
    if (!terminal) throw new Error('terminal vanished');
    const ledger = (h.checkout.store as SqliteStore).ledger;
    const commit = ledger.commitPayment.bind(ledger);
    let queued = (): void => undefined;
    const reached = new Promise<void>((resolve) => (queued = resolve));
    ledger.commitPayment = (c) => {
      const done = commit(c);
      queued();
      return done;
    };
    const answered = h.checkout.answer(challenge.challengeId, o.band.pay(o.band.open(challenge.message)), terminal);
    await reached; // the payment waits for the end of the turn to commit…
    await h.checkout.store.close(); // …and closing must let it
    expect((await answered).receipt?.amount).toBe(7_00);
    const file = new Database(h.dbFile, { readonly: true });
    expect(file.prepare('SELECT status FROM trades WHERE out_trade_no = ?').get(trade.outTradeNo)).toEqual({
      status: 'TRADE_SUCCESS',
    });
    file.close();
  });
});
