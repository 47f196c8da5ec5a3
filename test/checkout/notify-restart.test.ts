/**
 * Durability: merchant notifications are retried with back-off until the merchant answers
 * 200 (signed by the checkout key), and a restart on the same database keeps every piece
 * of state, including an outstanding challenge whose answer arrives after the restart.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../shared/status/codes.ts';
import { verifyNotification } from '../../checkout/api/client.ts';
import { type Terminal, merchantWithTerminal, newTrade, ownerWithBand, payWithBand } from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, mergeConfig, startHarness } from '../../harness/checkout-harness.ts';

interface Received {
  body: string;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

/** A merchant server that fails the first `failures` deliveries with 503, then answers 200. */
async function merchantServer(
  failures: number,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, at: Date.now() });
      res.writeHead(received.length <= failures ? 503 : 200).end(received.length <= failures ? 'busy' : 'success');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alipay/notify`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('notifications and restarts', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    // The merchant's receiver listens on loopback, which production refuses (notify-target.ts).
    h = await startHarness(mergeConfig(cheapTestConfig, { notify: { allowHosts: ['127.0.0.1/32'] } }));
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it('retries the signed notification with back-off until the merchant answers 200', async () => {
    const merchant = await merchantServer(2);
    try {
      const o = await ownerWithBand(h);
      const trade = await newTrade(shop, 20_00, { notifyUrl: merchant.url });
      await payWithBand(shop, o.band, trade.outTradeNo);
      await until(async () => (await h.checkout.store.ledger.notificationsOf(trade.tradeNo))[0]?.deliveredAt != null);
      expect(merchant.received).toHaveLength(3);
      const body = JSON.parse(merchant.received[2].body);
      expect(body).toMatchObject({
        outTradeNo: trade.outTradeNo,
        tradeNo: trade.tradeNo,
        tradeStatus: 'TRADE_SUCCESS',
        totalAmount: 20_00,
        currency: 'CNY',
      });
      expect(new Set(merchant.received.map((r) => JSON.parse(r.body).notifyId)).size).toBe(1);
      const { signingKey } = await h.client.info();
      for (const r of merchant.received)
        expect(verifyNotification(h.provider, signingKey, r.body, r.headers)).toBe(true);
      expect(
        verifyNotification(
          h.provider,
          signingKey,
          merchant.received[0].body.replace('2000', '2001'),
          merchant.received[0].headers,
        ),
      ).toBe(false);
      // Back-off: the gap before the third try is longer than before the second (30 ms, 60 ms).
      const [a, b, c] = merchant.received.map((r) => r.at);
      expect(c - b).toBeGreaterThanOrEqual(50);
      expect(b - a).toBeGreaterThanOrEqual(20);
      const n = (await h.checkout.store.ledger.notificationsOf(trade.tradeNo))[0];
      expect(n.attempts).toBe(3);
    } finally {
      await merchant.close();
    }
  });

  it('keeps state across a restart and still verifies an answer to a challenge issued before it', async () => {
    const o = await ownerWithBand(h);
    const paid = await newTrade(shop, 5_00);
    await payWithBand(shop, o.band, paid.outTradeNo);
    const trade = await newTrade(shop, 6_00);
    const challenge = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const opened = o.band.open(challenge.message);
    const keysBefore = await h.client.info();
    await h.restart();
    expect(await h.client.info()).toEqual(keysBefore);
    const out = await shop.client.answer(challenge.challengeId, o.band.pay(opened)); // same session, terminal, keys
    expect(o.band.readResult(opened, out.result)).toEqual({ status: Status.OK });
    expect((await o.client.ledger()).payments.map((p) => p.amount).sort()).toEqual([5_00, 6_00]);
    expect((await o.client.bands())[0].cards[0].state).toBe('active');
    await payWithBand(shop, o.band, (await newTrade(shop, 1_00)).outTradeNo); // counters survived too
  });
});
