/**
 * Rate limits at the HTTP edge, attacked as an attacker would: many requests at once over
 * real HTTP, from one loopback address or from many (127.0.0.2 …), with the production
 * limits (only scrypt is cheapened here: these properties count requests, not time).
 * Each refusal is 429 RATE_LIMITED with a Retry-After in seconds (RFC 9110 §10.2.3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../checkout/core/config.ts';
import { CheckoutHttpError } from '../../checkout/api/client.ts';
import { clientAddress } from '../../checkout/http/client-address.ts';
import { type ChildCheckout, startChildCheckout } from '../hardening/helpers/child-checkout.ts';
import { type Answer, post, stranger } from './helpers/from-address.ts';
import { PASSWORD, type Terminal, merchantWithTerminal, unique } from './helpers/fixtures.ts';
import { type Harness, startHarness } from '../../harness/checkout-harness.ts';

const limits = defaultConfig.rateLimits;
const WRONG = 'wrong password 123';

/** Every refusal is RATE_LIMITED with a Retry-After of at least 1 s and at most the window. */
function expectThrottled(a: Answer, windowMs: number): void {
  expect(a.status, a.text).toBe(429);
  if (a.contentType.startsWith('application/json')) expect(a.name).toBe('RATE_LIMITED');
  expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(a.retryAfter)).toBeLessThanOrEqual(Math.ceil(windowMs / 1000));
}

function split(answers: Answer[]): { through: Answer[]; throttled: Answer[] } {
  return { through: answers.filter((a) => a.status !== 429), throttled: answers.filter((a) => a.status === 429) };
}

function accountCount(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM accounts').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the client a request is counted against', () => {
  const of = clientAddress;
  it('is the IPv4 address (also IPv4-mapped), the /64 of an IPv6 one, never a header', () => {
    expect(of('127.0.0.7')).toBe('127.0.0.7');
    expect(of('::ffff:127.0.0.7')).toBe('127.0.0.7');
    expect(of('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(of('2001:db8:1:2:bbbb::9')).toBe('2001:db8:1:2::/64');
    expect(of(undefined)).toBe('unknown');
  });
});

describe('rate limits (production limits, one checkout)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scryptLog2N: 10 });
  });
  afterAll(() => h.close());

  const register = (from: string) =>
    post(h.server.url, '/v1/accounts', { username: unique('reg'), password: PASSWORD }, { from });

  it(`one anonymous client cannot create 30 accounts in a row: ${limits.registerPerClient.points}, then 429`, async () => {
    const before = accountCount(h.dbFile);
    const answers: Answer[] = [];
    for (let i = 0; i < 30; i++) answers.push(await register(stranger(0)));
    expect(answers.slice(0, limits.registerPerClient.points).map((a) => a.status)).toEqual(
      new Array(limits.registerPerClient.points).fill(201),
    );
    for (const a of answers.slice(limits.registerPerClient.points))
      expectThrottled(a, limits.registerPerClient.windowMs);
    expect(accountCount(h.dbFile) - before).toBe(limits.registerPerClient.points);
    // Per client: another address still registers.
    expect((await register(stranger(1))).status).toBe(201);
  });

  it('30 registrations at once from one address create at most the limit', async () => {
    const before = accountCount(h.dbFile);
    const { through, throttled } = split(await Promise.all(Array.from({ length: 30 }, () => register(stranger(2)))));
    expect(through.length).toBeLessThanOrEqual(limits.registerPerClient.points);
    for (const a of through) expect(a.status).toBe(201);
    for (const a of throttled) expectThrottled(a, limits.registerPerClient.windowMs);
    expect(accountCount(h.dbFile) - before).toBe(through.length);
  });

  it(`30 wrong logins at once from one address: at most ${limits.loginPerClient.points} are checked`, async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post(h.server.url, '/v1/sessions', { username: `nobody-${i}`, password: WRONG }, { from: stranger(10) }),
      ),
    );
    const { through, throttled } = split(answers);
    expect(through.length).toBeLessThanOrEqual(limits.loginPerClient.points);
    for (const a of through) expect(a.status).toBe(401);
    expect(throttled.length).toBeGreaterThanOrEqual(30 - limits.loginPerClient.points);
    for (const a of throttled) expectThrottled(a, limits.loginPerClient.windowMs);
  });

  it(`30 wrong logins at once for one account from 30 addresses: at most ${limits.loginPerAccount.points} are checked`, async () => {
    const victim = unique('victim');
    expect(
      (await post(h.server.url, '/v1/accounts', { username: victim, password: PASSWORD }, { from: stranger(21) }))
        .status,
    ).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        post(h.server.url, '/v1/sessions', { username: victim, password: WRONG }, { from: stranger(30 + i) }),
      ),
    );
    const { through, throttled } = split(answers);
    expect(through.length).toBeLessThanOrEqual(limits.loginPerAccount.points);
    expect(throttled.length).toBeGreaterThanOrEqual(30 - limits.loginPerAccount.points);
    for (const a of throttled) expectThrottled(a, limits.loginPerAccount.windowMs);
  });

  it('unlock checks the account password too, so it spends the same per-client budget', async () => {
    const from = stranger(70);
    const hello = Buffer.from(new Uint8Array(40).fill(7)).toString('base64url');
    const answers: Answer[] = [];
    for (let i = 0; i < limits.loginPerClient.points; i++)
      answers.push(
        await post(h.server.url, '/v1/unlock', { hello, username: `nobody-${i}`, password: WRONG }, { from }),
      );
    for (const a of answers) expect(a.status).not.toBe(429);
    expectThrottled(
      await post(h.server.url, '/v1/unlock', { hello, username: 'nobody', password: WRONG }, { from }),
      limits.loginPerClient.windowMs,
    );
    expectThrottled(
      await post(h.server.url, '/v1/sessions', { username: 'nobody', password: WRONG }, { from }),
      limits.loginPerClient.windowMs,
    );
  });

  it('the web login form answers 429 with Retry-After and the form again', async () => {
    const from = stranger(71);
    const headers = { origin: h.server.url }; // a browser on our own login page (the same-origin check)
    for (let i = 0; i < limits.loginPerClient.points; i++) {
      expect(
        (
          await post(
            h.server.url,
            '/login',
            { username: `web-nobody-${i}`, password: WRONG },
            { from, form: true, headers },
          )
        ).status,
      ).toBe(401);
    }
    const a = await post(
      h.server.url,
      '/login',
      { username: 'web-nobody', password: WRONG },
      { from, form: true, headers },
    );
    expectThrottled(a, limits.loginPerClient.windowMs);
    expect(a.contentType).toMatch(/^text\/html/);
    expect(a.text).toContain('<form');
    expect(a.text).toMatch(/too many login attempts/i);
  });

  /** A fresh account of `kind`, registered and signed in from its own address; its bearer header. */
  const signedIn = async (from: string, kind: 'owner' | 'merchant'): Promise<Record<string, string>> => {
    const username = unique(kind);
    const made = await post(
      h.server.url,
      '/v1/accounts',
      { username, password: PASSWORD, kind, displayName: 'Shop' },
      { from },
    );
    expect(made.status, made.text).toBe(201);
    const login = await post(h.server.url, '/v1/sessions', { username, password: PASSWORD }, { from });
    expect(login.status, login.text).toBe(201);
    return { authorization: `Bearer ${(JSON.parse(login.text) as { token: string }).token}` };
  };
  const rows = (table: string): number => {
    const db = new Database(h.dbFile, { readonly: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it(`one owner starting 40 enrollments at once stores ${limits.enrollPerAccount.points} offers; another owner is not slowed`, async () => {
    const owner = await signedIn(stranger(200), 'owner');
    const before = rows('enroll_offers');
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => post(h.server.url, '/v1/bands/enroll', {}, { headers: owner })),
    );
    const { through, throttled } = split(answers);
    expect(through.map((a) => a.status)).toEqual(new Array(limits.enrollPerAccount.points).fill(201));
    for (const a of throttled) expectThrottled(a, limits.enrollPerAccount.windowMs);
    expect(rows('enroll_offers') - before).toBe(limits.enrollPerAccount.points);
    const other = await signedIn(stranger(201), 'owner');
    expect((await post(h.server.url, '/v1/bands/enroll', {}, { headers: other })).status).toBe(201);
  });

  it(`one merchant asking 40 pairing codes at once stores ${limits.pairingCodePerMerchant.points}`, async () => {
    const merchant = await signedIn(stranger(202), 'merchant');
    const before = rows('pairing_codes');
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => post(h.server.url, '/v1/merchant/pairing-codes', {}, { headers: merchant })),
    );
    const { through, throttled } = split(answers);
    expect(through.map((a) => a.status)).toEqual(new Array(limits.pairingCodePerMerchant.points).fill(201));
    for (const a of throttled) expectThrottled(a, limits.pairingCodePerMerchant.windowMs);
    expect(rows('pairing_codes') - before).toBe(limits.pairingCodePerMerchant.points);
  });

  describe('payment password', () => {
    const shops: Terminal[] = [];
    beforeAll(async () => {
      for (let i = 0; i < 3; i++) shops.push(await merchantWithTerminal(h, unique('Shop ')));
    });

    const attempts = async (n: number, shop: (i: number) => Terminal, username: (i: number) => string) => {
      const settled = await Promise.allSettled(
        Array.from({ length: n }, (_, i) =>
          shop(i).client.payWithPassword(`no-such-trade-${i}`, username(i), '000000'),
        ),
      );
      return settled.map((s) => {
        expect(s.status).toBe('rejected');
        const e = (s as PromiseRejectedResult).reason as CheckoutHttpError;
        expect(e).toBeInstanceOf(CheckoutHttpError);
        return e;
      });
    };

    it(`one payer guessed at once through two terminals: at most ${limits.payPasswordPerAccount.points} guesses are checked`, async () => {
      const errors = await attempts(
        30,
        (i) => shops[i % 2],
        () => 'payer-under-attack',
      );
      const throttled = errors.filter((e) => e.statusName === 'RATE_LIMITED');
      expect(30 - throttled.length).toBeLessThanOrEqual(limits.payPasswordPerAccount.points);
      for (const e of throttled) {
        expect(e.httpStatus).toBe(429);
        expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      }
    });

    it(`one terminal trying many payers at once: at most ${limits.payPasswordPerTerminal.points} in all`, async () => {
      const errors = await attempts(
        30,
        () => shops[2],
        (i) => `payer-${i}`,
      );
      expect(errors.filter((e) => e.statusName !== 'RATE_LIMITED').length).toBeLessThanOrEqual(
        limits.payPasswordPerTerminal.points,
      );
      expect(errors.filter((e) => e.statusName === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(
        30 - limits.payPasswordPerTerminal.points,
      );
    });
  });
});

describe('rate limits hold across checkout processes sharing one database', () => {
  const children: ChildCheckout[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-limits-'));
  const dbFile = join(dir, 'checkout.db');
  beforeAll(async () => {
    children.push(await startChildCheckout(dbFile));
    children.push(await startChildCheckout(dbFile));
  });
  afterAll(async () => {
    for (const c of children) await c.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  const registerAt = (i: number, from: string) =>
    post(children[i % 2].url, '/v1/accounts', { username: unique('two-proc'), password: PASSWORD }, { from });

  it(`20 registrations from one address, taking turns between two processes: ${limits.registerPerClient.points} accounts`, async () => {
    // Each process alone would allow all 20 (10 each); one shared count allows 10 in all.
    const answers: Answer[] = [];
    for (let i = 0; i < 20; i++) answers.push(await registerAt(i, stranger(100)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(limits.registerPerClient.points);
    for (const a of answers.slice(limits.registerPerClient.points))
      expectThrottled(a, limits.registerPerClient.windowMs);
    expect(accountCount(dbFile)).toBe(limits.registerPerClient.points);
  });

  it('30 at once from one address across both processes create at most the limit', async () => {
    const before = accountCount(dbFile);
    const { through, throttled } = split(
      await Promise.all(Array.from({ length: 30 }, (_, i) => registerAt(i, stranger(101)))),
    );
    expect(through.length).toBeLessThanOrEqual(limits.registerPerClient.points);
    for (const a of throttled) expectThrottled(a, limits.registerPerClient.windowMs);
    expect(accountCount(dbFile) - before).toBe(through.filter((a) => a.status === 201).length);
  });
});
