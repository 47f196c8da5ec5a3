/**
 * Issue 11, finding 9 (merchant impersonation): the band shows the merchant's display
 * name, so a second merchant must not be able to register one the wearer cannot tell
 * apart. Attacked over HTTP, with registrations racing each other: the store's UNIQUE
 * index on the folded name decides, not a check before the insert.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../checkout/sqlite/migrations.ts';
import { openDatabase } from '../../checkout/sqlite/open.ts';
import { refusal } from '../checkout/helpers/expect-refusal.ts';
import { PASSWORD, unique } from '../checkout/helpers/fixtures.ts';
import { type Harness, cheapTestConfig, startHarness } from '../../harness/checkout-harness.ts';

describe('merchant display names', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig); // about 20 registrations from one address
  });
  afterAll(() => h.close());

  const merchant = (displayName: string) =>
    h.client.register({ username: unique('m'), password: PASSWORD, kind: 'merchant', displayName });

  it('refuses every look-alike of a taken name with CONFLICT: case, width, white space', async () => {
    const shop = await merchant('Shop A');
    expect(shop.displayName).toBe('Shop A');
    const lookAlikes = [
      'shop a',
      'SHOP A',
      'Ｓｈｏｐ Ａ',
      'ｓｈｏｐ　ａ',
      'Shop  A',
      ' Shop A ',
      'Shop\u00a0A',
      'Shop\u3000A',
    ];
    const outcomes = await Promise.allSettled(lookAlikes.map(merchant));
    for (const [i, o] of outcomes.entries()) {
      expect(o.status, lookAlikes[i]).toBe('rejected');
      const e = await refusal(Promise.reject((o as PromiseRejectedResult).reason), 'CONFLICT', 409);
      expect(e.message).toMatch(/already shows as/);
    }
  });

  it('of look-alike registrations racing each other, exactly one wins', async () => {
    const racers = ['Tea House', 'tea house', 'TEA  HOUSE', 'Ｔｅａ Ｈｏｕｓｅ', 'Tea\u2003House', 'tEA hOUSE'];
    const outcomes = await Promise.allSettled(racers.map(merchant));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') await refusal(Promise.reject(o.reason), 'CONFLICT');
  });

  it('refuses invisible, control and format characters in a display name', async () => {
    for (const name of [
      'Shop\u200bB',
      'Shop\u200dB',
      'Shop\u202eB',
      'Shop\tB',
      'Shop\nB',
      'Shop\u00adB',
      'Shop\ufe0fB',
      '\u3164',
      'Shop\u2028B',
      'Shop\ue000B',
    ]) {
      await refusal(merchant(name), 'MALFORMED', 400);
    }
    // …also for owners, whose name is shown on the dashboard.
    await refusal(
      h.client.register({ username: unique('o'), password: PASSWORD, displayName: 'Alice\u202e' }),
      'MALFORMED',
    );
  });

  it('different names are fine, and owners may share names (the band never shows them)', async () => {
    await merchant('Shop B');
    await merchant('Shop AB');
    await h.client.register({ username: unique('o'), password: PASSWORD, displayName: 'Same Person' });
    await h.client.register({ username: unique('o'), password: PASSWORD, displayName: 'same person' });
  });
});

describe('migration 5 on an existing ledger', () => {
  it('keys existing merchants oldest first; a look-alike already there keeps its row, and no new one gets in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-names-'));
    try {
      const file = join(dir, 'v2.db');
      const old = new Database(file);
      for (const m of migrations.filter((x) => x.version <= 2)) old.exec(m.sql);
      old.exec(`CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
        INSERT INTO migrations VALUES (1, 'initial schema', 0), (2, 'v2', 0);
        INSERT INTO accounts VALUES ('m_1', 'a', 'merchant', 'Shop A', x'00', x'00', NULL, NULL, 0, 0, 1, 1, 1),
          ('m_2', 'b', 'merchant', 'shop  a', x'00', x'00', NULL, NULL, 0, 0, 1, 1, 2), ('acc_1', 'c', 'owner', 'Shop A', x'00', x'00', NULL, NULL, 0, 0, 1, 1, 3);`);
      old.close();
      const db = openDatabase(file);
      expect(db.prepare('SELECT id, name_key AS k FROM accounts ORDER BY id').all()).toEqual([
        { id: 'acc_1', k: null },
        { id: 'm_1', k: 'shop a' },
        { id: 'm_2', k: null },
      ]);
      expect(() =>
        db
          .prepare(`INSERT INTO accounts (id, username, kind, display_name, password_hash, password_salt, limit_per_payment, limit_per_day, created_at, name_key)
        VALUES ('m_3', 'd', 'merchant', 'SHOP A', x'00', x'00', 1, 1, 4, 'shop a')`)
          .run(),
      ).toThrow(/UNIQUE/);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
