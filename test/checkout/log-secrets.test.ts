/**
 * The checkout's log never holds a secret (issue 19; OWASP Logging Cheat Sheet, "Data to
 * exclude"). A full run over real HTTP against a real server logging at its most verbose
 * level into a buffer: register, log in (API and web), enroll a band, add a card, unlock,
 * pay with the band and with the payment password, unblock, new and used turn-off codes.
 * Every secret that crossed the wire (passwords, payment password, session and device
 * tokens, turn-off and pairing codes, cookies, Authorization and signature headers) and the
 * checkout's own keys are then searched for in the log, as stored and in the usual encodings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutClient } from '../../checkout/api/client.ts';
import { type RunningServer, startCheckoutServer } from '../../checkout/http/server.ts';
import { createLogger } from '../../checkout/http/request-log.ts';
import type { SqliteStore } from '../../checkout/sqlite/store.ts';
import { webLogin } from './helpers/attack.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PASSWORD,
  PAY_PASSWORD,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  payWithBand,
} from './helpers/fixtures.ts';
import { type Harness, cheapTestConfig, startHarness } from '../../harness/checkout-harness.ts';

/** JSON fields whose values are secrets, in request and response bodies alike. */
const SECRET_FIELDS = new Set(['password', 'paymentPassword', 'token', 'deviceToken', 'turnOffCode', 'code']);
const SECRET_HEADERS = /^(authorization|cookie|set-cookie|x-wristpay-signature)$/i;

function collect(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collect(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_FIELDS.has(k) && typeof v === 'string') into.add(v);
      else collect(v, into);
    }
  }
}

function encodings(b: Uint8Array): string[] {
  const buf = Buffer.from(b);
  return [buf.toString('hex'), buf.toString('base64'), buf.toString('base64url')];
}

describe('secrets never reach the log', () => {
  let h: Harness;
  let server: RunningServer;
  const lines: string[] = [];
  const secrets = new Set<string>();
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    server = await startCheckoutServer(h.checkout, { port: 0, logLevel: 'trace', log: (l) => lines.push(l) });
    // Every request of the run goes through here: its secrets and the answer's are noted.
    globalThis.fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.forEach((v, k) => {
        if (SECRET_HEADERS.test(k)) secrets.add(k === 'authorization' ? v.replace(/^Bearer /, '') : v);
      });
      if (typeof init?.body === 'string') {
        if (init.body.startsWith('{')) collect(JSON.parse(init.body), secrets);
        else for (const [k, v] of new URLSearchParams(init.body)) if (SECRET_FIELDS.has(k)) secrets.add(v);
      } else if (init?.body instanceof Uint8Array) {
        const text = Buffer.from(init.body).toString('utf8');
        if (text.startsWith('{')) collect(JSON.parse(text), secrets);
      }
      const res = await realFetch(input, init);
      for (const c of res.headers.getSetCookie()) secrets.add(c.split(';')[0].split('=').slice(1).join('='));
      const body = await res.clone().text();
      if (body.startsWith('{')) collect(JSON.parse(body), secrets);
      return res;
    };
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await server.close();
    await h.close();
  });

  it('a full run logs one JSON line per request with its id, and none of the secrets it used', async () => {
    const w: Harness = { ...h, server, client: new CheckoutClient(server.url) };
    const shop = await merchantWithTerminal(w);
    const owner = await ownerWithBand(w);
    const t1 = await newTrade(shop, 25_00);
    await payWithBand(shop, owner.band, t1.outTradeNo);
    const t2 = await newTrade(shop, 9_00);
    await shop.client.payWithPassword(t2.outTradeNo, owner.username, PAY_PASSWORD);
    // Wrong payment passwords until blocked, then the owner unblocks it with the account password.
    const t3 = await newTrade(shop, 1_00);
    for (let i = 0; i < 5; i++)
      await shop.client.payWithPassword(t3.outTradeNo, owner.username, `24680${i}`).catch(() => undefined);
    await refusal(shop.client.payWithPassword(t3.outTradeNo, owner.username, PAY_PASSWORD), 'PAY_PASSWORD_BLOCKED');
    await owner.client.unblockPaymentPassword(PASSWORD);
    const web = await webLogin(server.url, owner.username, PASSWORD);
    expect(web.status).toBe(303);
    await realFetch(`${server.url}/`, {
      headers: {
        cookie: Object.entries(web.cookies)
          .map(([k, v]) => `${k}=${v}`)
          .join('; '),
      },
    }).then((r) => r.text());
    const code = await owner.client.newTurnOffCode();
    await w.client.turnOffWithCode(owner.username, code);
    await refusal(w.client.turnOffWithCode(owner.username, code), 'UNAUTHORIZED');

    // The checkout's own keys, as stored.
    const meta = (h.checkout.store as SqliteStore).db.prepare('SELECT value FROM meta').all() as Array<{
      value: Uint8Array;
    }>;
    // …and the signing and HPKE scalars of the key ring.
    const ring = (h.checkout.store as SqliteStore).db
      .prepare('SELECT signing, hpke FROM checkout_keys WHERE signing IS NOT NULL')
      .all() as Array<{ signing: Uint8Array; hpke: Uint8Array }>;
    expect(ring.length).toBeGreaterThan(0);
    const keys = [...meta.map((m) => m.value), ...ring.flatMap((r) => [r.signing, r.hpke])].flatMap((v) =>
      encodings(v),
    );
    keys.push(...encodings(h.checkout.ctx.keys.deviceTokenKey));

    const log = lines.join('\n');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = parsed.filter((l) => l.msg === 'request');
    expect(requests.length).toBeGreaterThan(25);
    for (const r of requests) {
      expect(r.reqId).toEqual(expect.any(String));
      expect(r).toMatchObject({
        method: expect.any(String),
        route: expect.any(String),
        status: expect.any(Number),
        ms: expect.any(Number),
      });
    }
    expect(requests.find((r) => r.route === '/v1/trades/:outTradeNo/pay-password' && r.status === 200)).toMatchObject({
      terminalId: shop.terminalId,
      merchantId: shop.merchantId,
    });
    expect(
      requests.find((r) => r.route === '/v1/bands')?.accountId ??
        requests.find((r) => r.route === '/v1/me/payment-password/unblock')?.accountId,
    ).toBe(owner.account.id);
    expect(requests.some((r) => r.refusal === 'PAY_PASSWORD_BLOCKED')).toBe(true);

    // The test saw the secrets it means to look for.
    expect(secrets.has(PASSWORD)).toBe(true);
    expect(secrets.has(PAY_PASSWORD)).toBe(true);
    expect(secrets.has(code)).toBe(true);
    expect(secrets.has(owner.token)).toBe(true);
    expect(secrets.size).toBeGreaterThan(10);
    for (const s of [...secrets, ...keys]) expect(log.includes(s), `secret ${s.slice(0, 6)}… in the log`).toBe(false);
  });

  it('the logger itself redacts secret-named fields, should one ever be passed to it', () => {
    const out: string[] = [];
    const logger = createLogger({ level: 'trace', write: (l) => out.push(l) });
    logger.info(
      {
        password: 'pw-1',
        body: { paymentPassword: 'pw-2', deviceToken: 'dt-3', turnOffCode: 'to-4' },
        req: { headers: { authorization: 'Bearer tk-5', cookie: 'wp=ck-6', 'x-wristpay-signature': 'sg-7' } },
        signature: 'sg-8',
        key: 'ky-9',
        res: { headers: { 'set-cookie': 'wp=ck-10' } },
      },
      'oops',
    );
    expect(out).toHaveLength(1);
    for (const s of ['pw-1', 'pw-2', 'dt-3', 'to-4', 'tk-5', 'ck-6', 'sg-7', 'sg-8', 'ky-9', 'ck-10'])
      expect(out[0]).not.toContain(s);
    expect(out[0]).toContain('[redacted]');
  });
});
