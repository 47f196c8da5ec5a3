/** Small pure pieces of the checkout: encodings, Luhn, the status → HTTP mapping, HTML escaping, migrations. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Status, StatusName } from '../../shared/status/codes.ts';
import { issuers, luhnValid, normaliseCardNumber, transitCities } from '../../sim/checkout/core/catalogue.ts';
import { base32, fromBase64Url, toBase64Url } from '../../sim/checkout/core/ids.ts';
import { httpStatusOf } from '../../sim/checkout/http/status-map.ts';
import { migrate, openDatabase } from '../../sim/checkout/sqlite/open.ts';
import { html } from '../../sim/checkout/web/html.ts';

describe('encodings', () => {
  it('base32 follows RFC 4648 §10 (lower case, no padding)', () => {
    const enc = (s: string): string => base32(new TextEncoder().encode(s));
    expect([enc(''), enc('f'), enc('fo'), enc('foo'), enc('foob'), enc('fooba'), enc('foobar')])
      .toEqual(['', 'my', 'mzxq', 'mzxw6', 'mzxw6yq', 'mzxw6ytb', 'mzxw6ytboi']);
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
    for (const n of [...issuers.map((i) => i.name), ...transitCities.map((c) => c.card)]) expect(n.length).toBeLessThanOrEqual(32);
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

describe('sqlite migrations', () => {
  it('run once, are recorded, and reopening applies nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-mig-'));
    try {
      const db = openDatabase(join(dir, 'a.db'));
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version FROM migrations').all()).toEqual([{ version: 1 }]);
      expect(migrate(db)).toEqual([]);
      db.close();
      const again = openDatabase(join(dir, 'a.db'));
      expect(again.prepare('SELECT COUNT(*) AS n FROM migrations').get()).toEqual({ n: 1 });
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
