/** Small pure pieces of the checkout: encodings, Luhn, the status → HTTP mapping, HTML escaping, migrations. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Status, type StatusName } from '../../shared/status/codes.ts';
import { issuers, luhnValid, normaliseCardNumber, transitCities } from '../../checkout/api/catalogue.ts';
import { base32 } from '../../checkout/core/ids.ts';
import { fromBase64Url, toBase64Url } from '../../checkout/api/base64url.ts';
import { httpStatusOf } from '../../checkout/http/status-map.ts';
import { migrations } from '../../checkout/sqlite/migrations.ts';
import { migrate, openDatabase } from '../../checkout/sqlite/open.ts';
import { SchemaTooNew } from '../../checkout/schema-version.ts';
import { html } from '../../checkout/web/html.ts';

describe('encodings', () => {
  it('base32 follows RFC 4648 §10 (lower case, no padding)', () => {
    const enc = (s: string): string => base32(new TextEncoder().encode(s));
    expect([enc(''), enc('f'), enc('fo'), enc('foo'), enc('foob'), enc('fooba'), enc('foobar')]).toEqual([
      '',
      'my',
      'mzxq',
      'mzxw6',
      'mzxw6yq',
      'mzxw6ytb',
      'mzxw6ytboi',
    ]);
  });

  it('base64url round-trips and refuses padding, other alphabets and non-canonical tails', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0x01]);
    expect(toBase64Url(bytes)).toBe('-_8B');
    expect(fromBase64Url('-_8B')).toEqual(bytes);
    expect(fromBase64Url('+/8B')).toBeNull();
    expect(fromBase64Url('AQ==')).toBeNull();
    expect(fromBase64Url('AR')).toBeNull(); // stray low bits: not the canonical encoding of 0x01 ("AQ")
    expect(fromBase64Url('A')).toBeNull();
    expect(fromBase64Url('A B')).toBeNull();
    expect(fromBase64Url('')).toEqual(new Uint8Array(0));
  });
});

describe('catalogue', () => {
  it('has 20 issuers and 6 transit cities with names the band can show', () => {
    expect(issuers).toHaveLength(20);
    expect(transitCities).toHaveLength(6);
    expect(new Set(issuers.map((i) => i.id)).size).toBe(20);
    for (const n of [...issuers.map((i) => i.name), ...transitCities.map((c) => c.card)])
      expect(n.length).toBeLessThanOrEqual(32);
    for (const c of transitCities) expect(c.fareCap).toBeGreaterThan(0);
  });

  it('checks card numbers with Luhn', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(normaliseCardNumber('4111 1111-1111 1111')).toBe('4111111111111111');
    expect(normaliseCardNumber('4111 1111 1111 1112')).toBeNull();
    expect(normaliseCardNumber('4111')).toBeNull();
  });
});

describe('status → HTTP', () => {
  it('maps every status code to a 4xx except INTERNAL, and OK to 200', () => {
    for (const name of Object.keys(Status) as StatusName[]) {
      const http = httpStatusOf(Status[name]);
      if (name === 'OK') expect(http).toBe(200);
      else if (name === 'INTERNAL') expect(http).toBe(500);
      else if (name === 'UNREACHABLE' || name === 'TIMEOUT') expect(http).toBeGreaterThanOrEqual(502);
      else {
        expect(http, name).toBeGreaterThanOrEqual(400);
        expect(http, name).toBeLessThan(500);
      }
    }
    expect(httpStatusOf(Status.UNAUTHORIZED)).toBe(401);
    expect(httpStatusOf(Status.FORBIDDEN)).toBe(403);
    expect(httpStatusOf(Status.NOT_FOUND)).toBe(404);
    expect(httpStatusOf(Status.PAYLOAD_TOO_LARGE)).toBe(413);
    expect(httpStatusOf(Status.MALFORMED)).toBe(400);
  });
});

describe('html', () => {
  it('escapes every interpolated string', () => {
    const evil = '<script>alert("x")</script>';
    expect(html`<p>${evil}</p>`.text).toBe('<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
    expect(html`<a title='${"'"}'>`.text).toBe("<a title='&#39;'>");
  });
});

/** Every migration's version, ascending (other issues append theirs). */
const allVersions = () => migrations.map((m) => ({ version: m.version })).sort((a, b) => a.version - b.version);

describe('sqlite migrations', () => {
  it('run once, are recorded, and reopening applies nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-mig-'));
    try {
      const db = openDatabase(join(dir, 'a.db'));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version FROM migrations ORDER BY version').all()).toEqual(allVersions());
      expect(migrate(db)).toEqual([]);
      db.close();
      const again = openDatabase(join(dir, 'a.db'));
      expect(again.prepare('SELECT COUNT(*) AS n FROM migrations').get()).toEqual({ n: migrations.length });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file migrated by a newer wristpay is refused at open, untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-mig-'));
    try {
      const file = join(dir, 'a.db');
      openDatabase(file).close();
      const raw = new Database(file);
      raw.prepare("INSERT INTO migrations (version, name, applied_at) VALUES (999, 'from a newer wristpay', 0)").run();
      raw.close();
      expect(() => openDatabase(file)).toThrow(SchemaTooNew);
      expect(() => openDatabase(file)).toThrow(/schema is version 999, newer than this wristpay knows/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('version 2 keeps a version-1 ledger (rows, rowid order, foreign keys) with less to write per payment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-mig-'));
    try {
      const file = join(dir, 'v1.db');
      const v1 = new Database(file);
      v1.exec(migrations[0].sql);
      v1.exec(`CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
        INSERT INTO migrations VALUES (1, 'initial schema', 0);
        INSERT INTO accounts VALUES ('acc_1', 'u', 'owner', 'U', x'00', x'00', NULL, NULL, 0, 0, 1, 1, 0), ('m_1', 'm', 'merchant', 'M', x'00', x'00', NULL, NULL, 0, 0, 1, 1, 0);
        INSERT INTO terminals VALUES ('t_1', 'm_1', 't', x'00', 0);`);
      for (const [i, tradeNo] of ['trd_b', 'trd_a', 'trd_c'].entries()) {
        v1.prepare(
          `INSERT INTO trades VALUES (?, 'm_1', 't_1', ?, 100, 'CNY', 's', NULL, 'TRADE_SUCCESS', 0, 0, 0, NULL)`,
        ).run(tradeNo, `o${i}`);
        v1.prepare(
          `INSERT INTO payments VALUES (?, ?, 'acc_1', NULL, NULL, 100, 'CNY', 'password', NULL, NULL, 1, 1, ?)`,
        ).run(`pay_${3 - i}`, tradeNo, i);
      }
      v1.prepare(`INSERT INTO refunds VALUES ('rfd_1', 'trd_a', 'r1', 50, '', 0)`).run();
      v1.prepare(
        `INSERT INTO trades VALUES ('trd_d', 'm_1', 't_1', 'o3', 100, 'CNY', 's', NULL, 'WAIT_BUYER_PAY', 0, 0, NULL, NULL)`,
      ).run();
      v1.close();

      const db = openDatabase(file);
      expect(db.prepare('SELECT version FROM migrations ORDER BY version').all()).toEqual(allVersions());
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.prepare('SELECT id, trade_no AS t FROM payments ORDER BY rowid').all()).toEqual([
        { id: 'pay_3', t: 'trd_b' },
        { id: 'pay_2', t: 'trd_a' },
        { id: 'pay_1', t: 'trd_c' },
      ]);
      expect(db.prepare('SELECT trade_no AS t, status FROM trades ORDER BY rowid').all()).toEqual([
        { t: 'trd_b', status: 'TRADE_SUCCESS' },
        { t: 'trd_a', status: 'TRADE_SUCCESS' },
        { t: 'trd_c', status: 'TRADE_SUCCESS' },
        { t: 'trd_d', status: 'WAIT_BUYER_PAY' },
      ]);
      const indexes = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'payments' ORDER BY name`)
        .all();
      expect(indexes).toEqual([{ name: 'payments_account' }, { name: 'sqlite_autoindex_payments_1' }]);
      // The rules are the same: one payment per trade, only known trades, only known statuses.
      const pay = (id: string, tradeNo: string) => () =>
        db
          .prepare(
            `INSERT INTO payments VALUES (?, ?, 'acc_1', NULL, NULL, 100, 'CNY', 'password', NULL, NULL, 1, 1, 9)`,
          )
          .run(id, tradeNo);
      expect(pay('pay_8', 'trd_a')).toThrow(/UNIQUE/);
      expect(pay('pay_9', 'trd_nope')).toThrow(/FOREIGN KEY/);
      expect(() => db.prepare(`UPDATE trades SET status = 'PAID' WHERE trade_no = 'trd_d'`).run()).toThrow(/CHECK/);
      expect(() => db.prepare(`DELETE FROM trades WHERE trade_no = 'trd_a'`).run()).toThrow(/FOREIGN KEY/); // its refund and payment point at it
      // And a payment's status change no longer builds a temporary table for the check.
      const ops = (
        db
          .prepare(
            `EXPLAIN UPDATE trades SET status = 'TRADE_SUCCESS', paid_at = 1 WHERE trade_no = 'trd_d' AND status = 'WAIT_BUYER_PAY'`,
          )
          .all() as Array<{ opcode: string }>
      ).map((r) => r.opcode);
      expect(ops).not.toContain('OpenEphemeral');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
