/**
 * Issue 11, finding 7 (SSRF via notifyUrl): a terminal names where the checkout POSTs
 * the payment notification. Attacked over HTTP against a real checkout on its production
 * settings (no allow-list): every non-public target is refused at creation, at once and
 * with nothing written; a name that rebinds to loopback after creation is refused at
 * delivery; the connection goes to the vetted address; redirects are not followed.
 */
import type { LookupAddress } from 'node:dns';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { refusal } from '../checkout/helpers/expect-refusal.ts';
import {
  type Terminal,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  payWithBand,
} from '../checkout/helpers/fixtures.ts';
import { type Harness, startHarness } from '../../harness/checkout-harness.ts';

/** Names the test controls; everything else resolves as usual. */
const fakeDns = new Map<string, string[][]>();
vi.mock('node:dns/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:dns/promises')>();
  return {
    ...actual,
    lookup: (host: string, opts: object) => {
      const answers = fakeDns.get(host);
      if (!answers) return actual.lookup(host, opts as never);
      const next = answers.length > 1 ? (answers.shift() as string[]) : answers[0];
      return Promise.resolve(
        next.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
    },
  };
});

interface Receiver {
  port: number;
  hits: string[];
  close(): Promise<void>;
}
async function receiver(
  answer: (res: import('node:http').ServerResponse) => void = (res) => res.writeHead(200).end('success'),
): Promise<Receiver> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function until(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("notifyUrl cannot reach the checkout's own network", () => {
  let h: Harness;
  let shop: Terminal;
  let inside: Receiver;
  beforeAll(async () => {
    h = await startHarness(); // production: notify.allowHosts is empty
    shop = await merchantWithTerminal(h);
    inside = await receiver();
  });
  afterAll(async () => {
    await inside.close();
    await h.close();
  });

  it('refuses, all at once, every URL naming or resolving to a non-public address, and writes nothing', async () => {
    const p = inside.port;
    fakeDns.set('metadata.attacker.example', [['169.254.169.254']]);
    fakeDns.set('mixed.attacker.example', [['93.184.216.34', '10.0.0.5']]); // one public address is not enough
    const forbidden = [
      `http://127.0.0.1:${p}/`,
      `http://127.1:${p}/`,
      `http://2130706433:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://localhost:${p}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://metadata.attacker.example/',
      'http://mixed.attacker.example/',
      'http://10.1.2.3/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      `http://0.0.0.0:${p}/`,
      'http://255.255.255.255/',
      'http://224.0.0.1/',
      'http://240.0.0.1/',
      'http://192.0.2.1/',
      `http://[::1]:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::ffff:7f00:1]:${p}/`,
      'http://[::]/',
      'http://[fe80::1]/',
      'http://[fc00::1]/',
      'http://[fd12:3456::1]/',
      'http://[ff02::1]/',
      'http://[64:ff9b::7f00:1]/',
      'http://[2002:7f00:1::]/',
      'http://[2001:db8::1]/',
      'http://no-such-host.invalid/',
    ];
    const malformed = [
      'ftp://93.184.216.34/',
      'file:///etc/passwd',
      'gopher://93.184.216.34/',
      'http://user:pw@93.184.216.34/',
      'not a url',
      `http://93.184.216.34/${'a'.repeat(600)}`,
    ];
    const before = await h.checkout.store.ledger.counts();
    const tries = [...forbidden, ...malformed].map((notifyUrl, i) =>
      shop.client.createTrade({ outTradeNo: `ssrf-${i}`, amount: 1_00, currency: 'CNY', subject: 's', notifyUrl }),
    );
    const outcomes = await Promise.allSettled(tries);
    for (const [i, url] of forbidden.entries()) {
      const o = outcomes[i];
      expect(o.status, url).toBe('rejected');
      await refusal(Promise.reject((o as PromiseRejectedResult).reason), 'FORBIDDEN', 403);
    }
    for (const [j, url] of malformed.entries()) {
      const o = outcomes[forbidden.length + j];
      expect(o.status, url).toBe('rejected');
      await refusal(Promise.reject((o as PromiseRejectedResult).reason), 'MALFORMED', 400);
    }
    expect(await h.checkout.store.ledger.counts()).toEqual(before);
    expect(inside.hits).toEqual([]);
  });

  it('a name public at creation and rebound to loopback at delivery is vetted again and not posted to', async () => {
    fakeDns.set('rebind.attacker.example', [['93.184.216.34'], ['127.0.0.1']]);
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 3_00, { notifyUrl: `http://rebind.attacker.example:${inside.port}/notify` });
    await payWithBand(shop, o.band, trade.outTradeNo);
    await until(async () => ((await h.checkout.store.ledger.notificationsOf(trade.tradeNo))[0]?.attempts ?? 0) >= 1);
    const [n] = await h.checkout.store.ledger.notificationsOf(trade.tradeNo);
    expect(n.deliveredAt).toBeNull();
    expect(n.lastError).toMatch(/loopback address \(127\.0\.0\.1\)/);
    expect(inside.hits).toEqual([]);
  });
});

describe('delivery connects to the vetted address and follows no redirect', () => {
  let h: Harness;
  let shop: Terminal;
  let target: Receiver;
  let elsewhere: Receiver;
  beforeAll(async () => {
    elsewhere = await receiver();
    target = await receiver((res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${elsewhere.port}/stolen` }).end(),
    );
    // The operator allows the one local receiver (development), nothing else on loopback.
    h = await startHarness({ notify: { allowHosts: [`127.0.0.1:${target.port}`, `pinned.example:${target.port}`] } });
    shop = await merchantWithTerminal(h);
  });
  afterAll(async () => {
    await target.close();
    await elsewhere.close();
    await h.close();
  });

  it('posts to the address the check resolved (no second lookup), and a 302 is a failed delivery, not followed', async () => {
    // pinned.example exists only in the test's resolver: reaching the receiver proves the
    // connection used the vetted address rather than the system's own lookup.
    fakeDns.set('pinned.example', [['127.0.0.1']]);
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 4_00, { notifyUrl: `http://pinned.example:${target.port}/notify` });
    await payWithBand(shop, o.band, trade.outTradeNo);
    await until(async () => ((await h.checkout.store.ledger.notificationsOf(trade.tradeNo))[0]?.attempts ?? 0) >= 2);
    const [n] = await h.checkout.store.ledger.notificationsOf(trade.tradeNo);
    expect(target.hits.length).toBeGreaterThanOrEqual(2);
    expect(target.hits[0]).toBe('POST /notify');
    expect(n.deliveredAt).toBeNull();
    expect(n.lastError).toBe('HTTP 302');
    expect(elsewhere.hits).toEqual([]);
    // The allow-list is per host and port: the other local port stays refused.
    await refusal(newTrade(shop, 1_00, { notifyUrl: `http://127.0.0.1:${elsewhere.port}/` }), 'FORBIDDEN');
  });
});
