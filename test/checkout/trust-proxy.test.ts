/**
 * Behind a reverse proxy (`checkout start --trust-proxy`, issue 19): X-Forwarded-For and
 * X-Forwarded-Proto are believed only from a proxy named in the list, over real HTTP from
 * chosen loopback addresses (127.0.0.1 plays the proxy, 127.0.0.2 … a client that reaches
 * the checkout directly). Without the flag a forged header changes nothing: it cannot buy a
 * fresh rate-limit bucket, and it cannot make cookies Secure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckout } from '../../checkout/checkout.ts';
import type { Checkout } from '../../checkout/checkout.ts';
import { defaultConfig } from '../../checkout/core/config.ts';
import { NO_PROXY, parseTrustProxy, resolvePeer } from '../../checkout/http/proxy-trust.ts';
import { type RunningServer, startCheckoutServer } from '../../checkout/http/server.ts';
import { cheapTestConfig, mergeConfig } from '../../harness/checkout-harness.ts';
import { type Answer, post, stranger } from './helpers/from-address.ts';
import { PASSWORD, unique } from './helpers/fixtures.ts';

const PER_CLIENT = defaultConfig.rateLimits.loginPerClient.points;
const PUBLIC = 'https://pay.example';

describe('which client a proxy header names (resolvePeer)', () => {
  const trust = parseTrustProxy('127.0.0.1,10.0.0.0/8');
  const peer = (socket: string, xff?: string, proto?: string) =>
    resolvePeer(socket, false, { 'x-forwarded-for': xff, 'x-forwarded-proto': proto }, trust);

  it('from a trusted proxy: the rightmost hop that is not one of ours', () => {
    expect(peer('127.0.0.1', '198.51.100.9').address).toBe('198.51.100.9');
    // The client wrote the left part; our proxies appended the right.
    expect(peer('127.0.0.1', '1.2.3.4, 198.51.100.9, 10.0.0.5').address).toBe('198.51.100.9');
    expect(peer('::ffff:127.0.0.1', '10.1.1.1, 10.0.0.5').address).toBe('10.1.1.1');
    // A garbage hop ends the walk at the last hop a trusted proxy wrote.
    expect(peer('127.0.0.1', 'not-an-ip, 10.0.0.5').address).toBe('10.0.0.5');
    expect(peer('127.0.0.1', undefined).address).toBe('127.0.0.1');
    expect(peer('127.0.0.1', '198.51.100.9', 'https').secure).toBe(true);
    expect(peer('127.0.0.1', '198.51.100.9', 'http').secure).toBe(false);
  });

  it('from anyone else, and with no --trust-proxy, the headers are not read', () => {
    expect(peer('127.0.0.2', '198.51.100.9', 'https')).toEqual({ address: '127.0.0.2', secure: false });
    const none = resolvePeer(
      '127.0.0.1',
      false,
      { 'x-forwarded-for': '198.51.100.9', 'x-forwarded-proto': 'https' },
      NO_PROXY,
    );
    expect(none).toEqual({ address: '127.0.0.1', secure: false });
  });

  it('--trust-proxy takes addresses, CIDRs and "loopback", and refuses anything else', () => {
    expect(parseTrustProxy('loopback').length).toBe(2);
    expect(parseTrustProxy('::1, 192.0.2.0/24, 2001:db8::/32').length).toBe(3);
    expect(() => parseTrustProxy('proxy.internal')).toThrow(/not an IP address/);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/not an IP address/);
    expect(() => parseTrustProxy(' , ')).toThrow(/at least one/);
  });
});

interface Running {
  checkout: Checkout;
  server: RunningServer;
  logs: string[];
}

async function start(dir: string, name: string, trustProxy?: string): Promise<Running> {
  // Production rate limits; cheap scrypt only (the limits count requests, not time).
  const config = mergeConfig(cheapTestConfig, { rateLimits: defaultConfig.rateLimits });
  const checkout = await createCheckout({ db: join(dir, `${name}.db`), config });
  const logs: string[] = [];
  const server = await startCheckoutServer(checkout, {
    publicUrl: PUBLIC,
    trustProxy: trustProxy === undefined ? undefined : parseTrustProxy(trustProxy),
    log: (l) => logs.push(l),
  });
  return { checkout, server, logs };
}

/** A wrong password for a new user name each time: only the per-client limit can trip. */
const guess = (r: Running, from: string, xff: string): Promise<Answer> =>
  post(
    r.server.url,
    '/v1/sessions',
    { username: unique('nobody'), password: 'wrong password 1' },
    { from, headers: { 'x-forwarded-for': xff } },
  );

describe('over HTTP', () => {
  let dir: string;
  let plain: Running;
  let proxied: Running;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wristpay-proxy-'));
    plain = await start(dir, 'plain');
    proxied = await start(dir, 'proxied', '127.0.0.1');
  });
  afterAll(async () => {
    for (const r of [plain, proxied]) {
      await r?.server.close();
      await r?.checkout.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(`without --trust-proxy a new X-Forwarded-For per guess does not dodge the login limit (${PER_CLIENT}, then 429)`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_CLIENT + 5; i++) statuses.push((await guess(plain, stranger(0), `203.0.113.${i}`)).status);
    expect(statuses.slice(0, PER_CLIENT).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(PER_CLIENT)).toEqual(new Array(5).fill(429));
  });

  it('from a client that is not a trusted proxy, the header is ignored just the same', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_CLIENT + 2; i++)
      statuses.push((await guess(proxied, stranger(1), `203.0.113.${i}`)).status);
    expect(statuses.slice(PER_CLIENT)).toEqual([429, 429]);
  });

  it('from the trusted proxy, each client it names has a bucket of its own; a forged left part does not', async () => {
    // Many clients behind one proxy: none of them is throttled by the others' attempts.
    const many: number[] = [];
    for (let i = 0; i < PER_CLIENT + 5; i++) many.push((await guess(proxied, '127.0.0.1', `198.51.100.${i}`)).status);
    expect(many.filter((s) => s === 429)).toEqual([]);
    // One client forging a new "origin" each time in front of what the proxy appended.
    const forged: number[] = [];
    for (let i = 0; i < PER_CLIENT + 2; i++)
      forged.push((await guess(proxied, '127.0.0.1', `10.9.9.${i}, 192.0.2.77`)).status);
    expect(forged.slice(PER_CLIENT)).toEqual([429, 429]);
    // The request log names the client, not the proxy.
    expect(proxied.logs.some((l) => JSON.parse(l).client === '192.0.2.77')).toBe(true);
  });

  it('X-Forwarded-Proto: https from the trusted proxy makes cookies Secure, sends HSTS and expects an https Origin', async () => {
    const username = unique('shop');
    const reg = await post(proxied.server.url, '/v1/accounts', { username, password: PASSWORD, kind: 'merchant' });
    expect(reg.status, reg.text).toBe(201);
    const login = (from: string, origin: string) =>
      postForm(proxied.server.url, { username, password: PASSWORD }, from, {
        host: 'pay.example',
        origin,
        'x-forwarded-for': '192.0.2.10',
        'x-forwarded-proto': 'https',
      });
    const viaProxy = await login('127.0.0.1', PUBLIC);
    expect(viaProxy.status).toBe(303);
    expect(viaProxy.cookies.length).toBe(2);
    for (const c of viaProxy.cookies) expect(c).toMatch(/; Secure(;|$)/);
    expect(viaProxy.hsts).toBe('max-age=31536000');
    // An http:// page posing as the site is another origin.
    expect((await login('127.0.0.1', 'http://pay.example')).status).toBe(403);
    // The same headers from a client that reached the checkout directly: plain cookies, no HSTS.
    const direct = await login(stranger(2), PUBLIC);
    expect(direct.status).toBe(303);
    for (const c of direct.cookies) expect(c).not.toMatch(/Secure/);
    expect(direct.hsts).toBeUndefined();
  });
});

/** POST /login as a browser form; the Set-Cookie and HSTS headers of the answer. */
async function postForm(
  base: string,
  body: Record<string, string>,
  from: string,
  headers: Record<string, string>,
): Promise<{ status: number; cookies: string[]; hsts: string | undefined }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/login',
        localAddress: from,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            cookies: res.headers['set-cookie'] ?? [],
            hsts: res.headers['strict-transport-security'],
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(new URLSearchParams(body).toString());
  });
}
