/**
 * HTTP fuzz of every route the checkout serves (listed from the router's own tables, so a
 * new route is fuzzed without touching this file). Seeded, bounded; the long run
 * (npm run bench -- --long) is the same test with ten times the cases.
 *
 * 1. Garbage and unauthenticated requests: random and mutated JSON, random bytes, bad
 *    base64url, corrupted protocol messages, wrong content types, huge and deeply nested
 *    bodies, odd headers, forged bearer tokens, cookies and terminal signatures, random
 *    paths and methods. Never a 5xx; the ledger, cards, bands and challenges are unchanged.
 * 2. The same with valid credentials (owner, merchant, signed terminal, cookie): never a
 *    5xx, and a refused request changes no money (trades, payments, refunds, day totals).
 * 3. Malformed HTTP on the wire. After each part the checkout still answers a health request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Route } from '../../checkout/http/router.ts';
import type { Db } from '../../checkout/sqlite/open.ts';
import { TerminalHeader } from '../../checkout/api/terminal-auth.ts';
import { toBase64Url } from '../../checkout/api/base64url.ts';
import { PASSWORD } from '../checkout/helpers/fixtures.ts';
import {
  CONTENT_TYPES,
  Rng,
  encodeSegment,
  formEncode,
  jsonValue,
  mutateBody,
  oddString,
  seedOf,
} from './helpers/fuzz-gen.ts';
import { type FuzzWorld, buildWorld, pathOf } from './helpers/fuzz-world.ts';
import { ledgerDigest, ledgerProblems, openReader } from './helpers/ledger-check.ts';
import { type RawReply, closeAgent, send, sendRaw } from './helpers/raw-http.ts';
import { SEED, reportFigures, scaled } from './helpers/scale.ts';

const GARBAGE_CASES = scaled(36, 360);
const AUTH_CASES = scaled(24, 240);
const MONEY = ['trades', 'payments', 'refunds', 'day_totals', 'notifications'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'];
const ODD_HEADERS: Array<[string, string]> = [
  ['x-forwarded-for', '127.0.0.1, 10.0.0.1'],
  ['host', 'evil.example'],
  ['accept', 'text/html'],
  ['expect', '100-continue'],
  ['content-encoding', 'gzip'],
  ['x-http-method-override', 'DELETE'],
  ['origin', 'https://evil.example'],
  ['range', 'bytes=0-1'],
  ['cookie', 'wp_session=; wp_session=a=b; ;;'],
  ['authorization', 'Bearer'],
  ['authorization', 'Basic Zm9vOmJhcg=='],
  ['authorization', `Bearer ${'a'.repeat(400)}`],
  [TerminalHeader.ID, 't_nope'],
  [TerminalHeader.TIMESTAMP, '-1'],
];

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array;
  huge: boolean;
  what: string;
}
type Phase = 'garbage' | 'auth';

const tally = {
  cases: 0,
  accepted: 0,
  refused: 0,
  closedOnHugeBody: 0,
  raw: 0,
  byHttpStatus: {} as Record<string, number>,
  routes: 0,
};

describe('HTTP fuzz of every checkout route', () => {
  let w: FuzzWorld;
  let db: Db;
  let merchantUser = '';

  beforeAll(async () => {
    w = await buildWorld();
    db = openReader(w.h.dbFile);
    merchantUser = (await w.h.checkout.store.accounts.byId(w.shop.merchantId))?.username ?? '';
    tally.routes = w.routes.length;
  });
  afterAll(async () => {
    reportFigures('http-fuzz', {
      seed: SEED,
      garbageCasesPerRoute: GARBAGE_CASES,
      authCasesPerRoute: AUTH_CASES,
      ...tally,
    });
    closeAgent();
    db?.close();
    await w?.h.close();
  });

  async function healthy(): Promise<void> {
    const r = await send(w.h.server.url, 'GET', '/v1/checkout', {});
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).signingKey).toMatch(/^[A-Za-z0-9_-]+$/);
  }

  function bodyFor(r: Rng, route: Route, phase: Phase): { body: Uint8Array; huge: boolean; what: string } {
    const key = `${route.method} ${route.pattern}`;
    let template = w.templates[key];
    if (!template && route.kind === 'web' && route.method === 'POST') template = { csrf: w.ownerCookie.csrf };
    const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
    const k = phase === 'auth' ? r.int(3) : r.int(10);
    if (k <= 1 && template) {
      const body = mutateBody(r, template, w.messages);
      return {
        body: enc(route.kind === 'web' && r.chance(0.5) ? formEncode(body) : body),
        huge: false,
        what: 'mutated',
      };
    }
    switch (k) {
      case 0:
      case 1:
      case 2:
        return { body: enc(jsonValue(r)), huge: false, what: 'random JSON' };
      case 3:
        return { body: r.bytes(r.int(2000)), huge: false, what: 'random bytes' };
      case 4:
        return {
          body: enc({ ...template, [r.pick(Object.keys(w.messages))]: toBase64Url(r.bytes(r.int(3000))) }),
          huge: false,
          what: 'random bytes as a message',
        };
      case 5:
        return {
          body: enc({ ...template, hello: oddString(r), answer: oddString(r) }),
          huge: false,
          what: 'bad base64url',
        };
      case 6:
        return { body: new Uint8Array(0), huge: false, what: 'empty' };
      case 7:
        return {
          body: enc(r.chance(0.5) ? '['.repeat(30_000) : `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`),
          huge: false,
          what: 'deep nesting',
        };
      case 8:
        return {
          body: Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0xff, 0xfe, 0x7d]),
          huge: false,
          what: 'invalid UTF-8',
        };
      default:
        return r.chance(0.4)
          ? { body: r.bytes(64 * 1024 + 1 + r.int(150_000)), huge: true, what: 'huge body' }
          : { body: enc(jsonValue(r, 1)), huge: false, what: 'random JSON' };
    }
  }

  function pathFor(r: Rng, route: Route, phase: Phase): string {
    const base = pathOf(route, w.params, () => oddString(r));
    if (phase === 'auth' || r.chance(0.7)) return base;
    switch (r.int(6)) {
      case 0:
        return pathOf(route, {}, () => r.pick(['..', '%', '%zz', '%00', 'a'.repeat(3000), oddString(r)]));
      case 1:
        return base + r.pick(['/', '//', '?', '?a=1&a=2', '?%', '#x', '/..', ';x']);
      case 2:
        return '/v1/' + Array.from({ length: 1 + r.int(4) }, () => encodeSegment(oddString(r))).join('/');
      case 3:
        return base.toUpperCase();
      case 4:
        return base.replace(/\//g, '//');
      default:
        return '/' + encodeSegment(oddString(r));
    }
  }

  function authFor(r: Rng, phase: Phase, method: string, path: string, body: Uint8Array): Record<string, string> {
    const sign = () => w.shop.signer.headers(method, path, body);
    if (phase === 'auth') {
      switch (r.int(4)) {
        case 0:
          return { authorization: `Bearer ${w.owner.token}` };
        case 1:
          return { authorization: `Bearer ${w.merchantToken}` };
        case 2:
          return sign();
        default:
          return { cookie: `wp_session=${w.ownerCookie.token}` };
      }
    }
    switch (r.int(7)) {
      case 0:
        return {};
      case 1:
        return { authorization: `Bearer ${toBase64Url(r.bytes(24))}` };
      case 2:
        return { ...sign(), [TerminalHeader.SIGNATURE]: toBase64Url(r.bytes(64)) };
      case 3:
        return { ...w.shop.signer.headers(method, path, r.bytes(8)) };
      case 4:
        return { ...sign(), [TerminalHeader.TIMESTAMP]: String(Date.now() - 3600_000) };
      case 5:
        return {
          [TerminalHeader.ID]: w.shop.terminalId,
          [TerminalHeader.TIMESTAMP]: String(Date.now()),
          [TerminalHeader.SIGNATURE]: oddString(r).replace(/[^\x21-\x7e]/g, ''),
        };
      default:
        return { cookie: `wp_session=${toBase64Url(r.bytes(24))}` };
    }
  }

  function makeCase(r: Rng, route: Route, phase: Phase): Case {
    const method = phase === 'garbage' && r.chance(0.1) ? r.pick(METHODS) : route.method;
    const path = pathFor(r, route, phase);
    const { body, huge, what } = bodyFor(r, route, phase);
    const headers: Record<string, string> = { ...authFor(r, phase, method, path, body) };
    const ct = r.pick(CONTENT_TYPES);
    if (ct) headers['content-type'] = ct;
    for (let i = r.chance(0.3) ? 1 + r.int(3) : 0; i > 0; i--) {
      const [k, v] = r.pick(ODD_HEADERS);
      if (headers[k] === undefined && !(phase === 'auth' && k === 'authorization')) headers[k] = v;
    }
    return { method, path, headers, body, huge, what };
  }

  function check(c: Case, reply: RawReply, label: string): void {
    tally.cases += 1;
    tally.byHttpStatus[reply.status] = (tally.byHttpStatus[reply.status] ?? 0) + 1;
    if (reply.status === 0) {
      // Only a refused upload may be cut short (413 is sent, then the socket is dropped).
      expect(c.huge, `${label}: connection dropped`).toBe(true);
      tally.closedOnHugeBody += 1;
      return;
    }
    expect(reply.status, `${label}: ${reply.text.slice(0, 200)}`).toBeLessThan(500);
    if (reply.status < 400) tally.accepted += 1;
    else tally.refused += 1;
    if (reply.status >= 400 && c.method !== 'HEAD' && reply.contentType.startsWith('application/json')) {
      const err = JSON.parse(reply.text).error as { status: number; name: string };
      expect(typeof err.status, label).toBe('number');
      expect(typeof err.name, label).toBe('string');
    }
  }

  it('lists every route the server serves and reaches each handler', async () => {
    expect(w.routes.length).toBeGreaterThanOrEqual(30);
    for (const route of w.routes) {
      const r = await send(
        w.h.server.url,
        route.method,
        pathOf(route, w.params, () => 'x'),
        {},
      );
      expect(r.text, `${route.method} ${route.pattern}`).not.toContain('no route');
      expect(r.status).toBeLessThan(500);
    }
  });

  it('garbage and unauthenticated requests: never a 5xx, nothing in the ledger changes', async () => {
    const before = ledgerDigest(db);
    for (const route of w.routes) {
      const r = new Rng(seedOf(`garbage ${route.method} ${route.pattern}`, SEED));
      for (let i = 0; i < GARBAGE_CASES; i++) {
        const c = makeCase(r, route, 'garbage');
        check(
          c,
          await send(w.h.server.url, c.method, c.path, c.headers, c.body),
          `${route.method} ${route.pattern} #${i} ${c.what} → ${c.method} ${c.path.slice(0, 80)}`,
        );
      }
      await healthy();
    }
    expect(ledgerDigest(db)).toBe(before);
    expect(ledgerProblems(db)).toEqual([]);
  });

  it('with valid credentials: never a 5xx, and a refused request changes no money', async () => {
    for (const route of w.routes) {
      const r = new Rng(seedOf(`auth ${route.method} ${route.pattern}`, SEED));
      for (let i = 0; i < AUTH_CASES; i++) {
        const c = makeCase(r, route, 'auth');
        const before = ledgerDigest(db, MONEY);
        const reply = await send(w.h.server.url, c.method, c.path, c.headers, c.body);
        const label = `${route.method} ${route.pattern} #${i} ${c.what}`;
        check(c, reply, label);
        if (reply.status >= 400)
          expect(ledgerDigest(db, MONEY), `${label}: refused (${reply.status}) but the ledger changed`).toBe(before);
      }
      // A case may have logged a session out: log in again for the next route.
      await w.refreshOwner();
      w.merchantToken = (await w.h.checkout.login(merchantUser, PASSWORD)).token;
      await healthy();
    }
    expect(ledgerProblems(db)).toEqual([]);
  });

  it('malformed HTTP on the wire: never a 5xx, the server keeps answering', async () => {
    const path = `/v1/challenges/${w.params.challengeId}/answer`;
    const wire = [
      'GARBAGE\r\n\r\n',
      'GET\r\n\r\n',
      'GET /v1/checkout\r\n\r\n',
      'GET /v1/checkout HTTP/9.9\r\nHost: x\r\n\r\n',
      'GET http://evil.example/v1/checkout HTTP/1.1\r\nHost: x\r\n\r\n',
      'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
      'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET //v1/checkout HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/check\u0000out HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /v1/checkout HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      `GET /v1/checkout HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET /v1/checkout HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\nab`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{}`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n{"answer":`,
      'GET /v1/checkout HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/checkout HTTP/1.1\r\n\r\nJUNK\r\n\r\n',
    ];
    for (const bytes of wire) {
      const status = await sendRaw(w.h.server.url, bytes, 800);
      tally.raw += 1;
      expect(status, JSON.stringify(bytes.slice(0, 60))).toBeLessThan(500);
    }
    const r = new Rng(seedOf('wire', SEED));
    for (let i = 0; i < scaled(20, 200); i++) {
      expect(await sendRaw(w.h.server.url, r.bytes(1 + r.int(600)), 300)).toBeLessThan(500);
      tally.raw += 1;
    }
    await healthy();
  });
});
