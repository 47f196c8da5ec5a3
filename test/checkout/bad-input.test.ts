/**
 * Hostile input on every endpoint, table-driven: malformed JSON, oversize bodies, wrong
 * types, missing auth, bad terminal signatures, another account's band, random bytes
 * where protocol messages belong. Every reply is a 4xx carrying a status code that maps
 * to that HTTP status, the server stays up, and the ledger does not change.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusName } from '../../shared/status/codes.ts';
import { toBase64Url } from '../../checkout/api/base64url.ts';
import { httpStatusOf } from '../../checkout/http/status-map.ts';
import { TerminalHeader } from '../../checkout/api/terminal-auth.ts';
import {
  type OwnedBand,
  type Owner,
  type Terminal,
  merchantWithTerminal,
  newOwner,
  newTrade,
  ownerWithBand,
  unique,
} from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';

type Auth = 'none' | 'owner' | 'merchant' | 'terminal';
interface Endpoint {
  method: string;
  path: string;
  auth: Auth;
  /** A well-typed body; each field gets replaced by a wrong type in turn. */
  body?: Record<string, unknown>;
  /** Fields that carry base64url protocol messages or keys. */
  messages?: string[];
  /** The path names the owner's band (another account gets 403). */
  band?: boolean;
}

interface Reply {
  status: number;
  json: { error?: { status: number; name: string; message: string } } | null;
}

describe('bad input on every endpoint', () => {
  let h: Harness;
  let owner: OwnedBand;
  let other: Owner;
  let merchant: { token: string };
  let shop: Terminal;
  let outTradeNo: string;
  let challengeId: string;
  const endpoints: Endpoint[] = [];

  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    owner = await ownerWithBand(h);
    other = await newOwner(h);
    shop = await merchantWithTerminal(h);
    const m = unique('m');
    await h.client.register({ username: m, password: 'merchant password', kind: 'merchant' });
    merchant = { token: (await h.client.login(m, 'merchant password')).token };
    outTradeNo = (await newTrade(shop, 10_00)).outTradeNo;
    challengeId = (await shop.client.payWithBand(outTradeNo, owner.band.hello())).challengeId;
    const d = owner.deviceId;
    const msg = toBase64Url(new Uint8Array([0xa0]));
    endpoints.push(
      {
        method: 'POST',
        path: '/v1/accounts',
        auth: 'none',
        body: { username: 'u' + unique('x'), password: 'long enough', kind: 'owner' },
      },
      { method: 'POST', path: '/v1/sessions', auth: 'none', body: { username: 'nobody', password: 'long enough' } },
      { method: 'DELETE', path: '/v1/sessions', auth: 'owner' },
      { method: 'GET', path: '/v1/me', auth: 'owner' },
      { method: 'POST', path: '/v1/bands/enroll', auth: 'owner' },
      {
        method: 'POST',
        path: '/v1/bands/enrolled',
        auth: 'owner',
        body: { enrollId: 'enr_x', enrolled: msg, name: 'n' },
        messages: ['enrolled'],
      },
      { method: 'GET', path: '/v1/bands', auth: 'owner' },
      { method: 'GET', path: `/v1/bands/${d}`, auth: 'owner', band: true },
      {
        method: 'POST',
        path: `/v1/bands/${d}/cards`,
        auth: 'owner',
        body: { issuerId: 'icbc', cardNumber: '4111111111111111', balance: 1 },
        band: true,
      },
      { method: 'DELETE', path: `/v1/bands/${d}/cards/${owner.cardRef}`, auth: 'owner', band: true },
      { method: 'POST', path: `/v1/bands/${d}/revoke`, auth: 'owner', band: true },
      { method: 'GET', path: '/v1/payments', auth: 'owner' },
      {
        method: 'POST',
        path: '/v1/unlock',
        auth: 'none',
        body: { hello: msg, username: owner.username, password: 'x' },
        messages: ['hello'],
      },
      { method: 'POST', path: '/v1/merchant/pairing-codes', auth: 'merchant' },
      { method: 'GET', path: '/v1/merchant/terminals', auth: 'merchant' },
      {
        method: 'POST',
        path: '/v1/terminals',
        auth: 'none',
        body: { code: 'AAAAAAAA', publicKey: msg, name: 'n' },
        messages: ['publicKey'],
      },
      { method: 'POST', path: '/v1/hello', auth: 'terminal', body: { hello: msg }, messages: ['hello'] },
      {
        method: 'POST',
        path: '/v1/trades',
        auth: 'terminal',
        body: {
          outTradeNo: 'bad-input',
          amount: 1,
          currency: 'CNY',
          subject: 's',
          notifyUrl: 'http://93.184.216.34:9/',
        },
      },
      { method: 'GET', path: `/v1/trades/${outTradeNo}`, auth: 'terminal' },
      {
        method: 'POST',
        path: `/v1/trades/${outTradeNo}/pay`,
        auth: 'terminal',
        body: { hello: msg, express: false },
        messages: ['hello'],
      },
      {
        method: 'POST',
        path: `/v1/trades/${outTradeNo}/pay-password`,
        auth: 'terminal',
        body: { username: 'nobody', paymentPassword: '000000' },
      },
      {
        method: 'POST',
        path: `/v1/trades/${outTradeNo}/refunds`,
        auth: 'terminal',
        body: { outRequestNo: 'r', amount: 1, reason: 'x' },
      },
      { method: 'POST', path: `/v1/trades/${outTradeNo}/close`, auth: 'terminal' },
      {
        method: 'POST',
        path: `/v1/challenges/${challengeId}/answer`,
        auth: 'terminal',
        body: { answer: msg },
        messages: ['answer'],
      },
    );
  });
  afterAll(() => h.close());

  function send(
    method: string,
    path: string,
    body: Uint8Array | string,
    headers: Record<string, string>,
  ): Promise<Reply> {
    const u = new URL(h.server.url);
    return new Promise((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  type AuthMode = 'good' | 'missing' | 'other-owner' | 'bad-signature' | 'stale';
  function headersFor(e: Endpoint, body: Uint8Array, mode: AuthMode): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(body.length),
    };
    if (mode === 'missing' || e.auth === 'none') return headers;
    if (e.auth === 'owner') headers.authorization = `Bearer ${mode === 'other-owner' ? other.token : owner.token}`;
    if (e.auth === 'merchant') headers.authorization = `Bearer ${merchant.token}`;
    if (e.auth === 'terminal') {
      const now = h.clock.now();
      const signed = shop.signer.headers(e.method, e.path, body);
      if (mode === 'bad-signature') {
        const sig = signed[TerminalHeader.SIGNATURE];
        signed[TerminalHeader.SIGNATURE] = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
      }
      if (mode === 'stale') signed[TerminalHeader.TIMESTAMP] = String(now - 10 * 60_000);
      Object.assign(headers, signed);
    }
    return headers;
  }

  async function expectRefused(
    e: Endpoint,
    what: string,
    body: Uint8Array | string,
    mode: AuthMode = 'good',
    want?: number,
  ): Promise<void> {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const r = await send(e.method, e.path, bytes, headersFor(e, bytes, mode));
    const label = `${e.method} ${e.path} (${what})`;
    expect(r.status, label).toBeGreaterThanOrEqual(400);
    expect(r.status, label).toBeLessThan(500);
    expect(r.json?.error, label).toBeDefined();
    const err = r.json?.error as { status: number; name: string };
    expect(statusName(err.status), label).toBe(err.name);
    expect(httpStatusOf(err.status), label).toBe(r.status);
    if (want !== undefined) expect(r.status, `${label}: ${err.name}`).toBe(want);
  }

  function wrongTypeOf(v: unknown): unknown {
    return typeof v === 'string' ? 12345 : typeof v === 'number' ? '12' : typeof v === 'boolean' ? 'yes' : 'x';
  }

  it('refuses every kind of bad input with a 4xx and a status code, and changes nothing', async () => {
    const before = await h.checkout.store.ledger.counts();
    let cases = 0;
    for (const e of endpoints) {
      await expectRefused(e, 'oversize body', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), 'good', 413);
      cases++;
      if (e.auth !== 'none') {
        await expectRefused(e, 'missing auth', e.body ? JSON.stringify(e.body) : '', 'missing', 401);
        cases++;
      }
      if (e.auth === 'terminal') {
        await expectRefused(e, 'bad signature', e.body ? JSON.stringify(e.body) : '', 'bad-signature', 401);
        await expectRefused(e, 'stale timestamp', e.body ? JSON.stringify(e.body) : '', 'stale', 401);
        cases += 2;
      }
      if (e.band) {
        await expectRefused(e, "another account's band", e.body ? JSON.stringify(e.body) : '', 'other-owner', 403);
        cases++;
      }
      if (!e.body) continue;
      await expectRefused(e, 'malformed JSON', '{"a":', 'good', 400);
      await expectRefused(e, 'JSON array', '[]', 'good', 400);
      await expectRefused(e, 'not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'good', 400);
      cases += 3;
      for (const field of Object.keys(e.body)) {
        await expectRefused(
          e,
          `wrong type for ${field}`,
          JSON.stringify({ ...e.body, [field]: wrongTypeOf(e.body[field]) }),
          'good',
          400,
        );
        await expectRefused(e, `object for ${field}`, JSON.stringify({ ...e.body, [field]: { $gt: '' } }), 'good', 400);
        cases += 2;
      }
      for (const field of e.messages ?? []) {
        for (const n of [1, 64, 65, 700]) {
          const random = toBase64Url(h.provider.randomBytes(n));
          await expectRefused(e, `${n} random bytes as ${field}`, JSON.stringify({ ...e.body, [field]: random }));
        }
        await expectRefused(
          e,
          `non-base64url ${field}`,
          JSON.stringify({ ...e.body, [field]: 'not base64!' }),
          'good',
          400,
        );
        cases += 5;
      }
    }
    expect(cases).toBeGreaterThan(120);
    expect(await h.checkout.store.ledger.counts()).toEqual(before);
    // The server is still up and the band still works.
    expect((await h.client.info()).signingKey).toHaveLength(65);
    expect((await owner.client.band(owner.deviceId)).status).toBe('active');
  });

  it('refuses unknown routes, malformed paths and unknown ids with 4xx JSON', async () => {
    const get = (path: string): Promise<Reply> => send('GET', path, '', { authorization: `Bearer ${owner.token}` });
    expect((await get('/v1/nope')).status).toBe(404);
    expect((await get('/v1/bands/%zz')).status).toBe(400);
    expect((await get(`/v1/bands/${'0'.repeat(32)}`)).status).toBe(404);
    expect((await send('PATCH', '/v1/bands', '', {})).status).toBe(404);
    expect(
      (await send('POST', `/v1/challenges/ch_unknown/answer`, JSON.stringify({ answer: 'oA' }), {})).json?.error?.name,
    ).toBe('NOT_FOUND');
  });
});
