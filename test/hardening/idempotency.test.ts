/**
 * Idempotency under concurrency: the same band answer posted ten times at once is charged
 * once (one receipt, nine REPLAYED), in one checkout and across two checkout processes on
 * one SQLite file (where the requests really race to the database); ten challenges for one
 * trade answered at once pay it once; one outTradeNo created ten times at once is one
 * trade; one refund number posted ten times at once refunds once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutHttpError } from '../../checkout/api/client.ts';
import {
  type OwnedBand,
  type Terminal,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
} from '../checkout/helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { type ChildCheckout, startChildCheckout } from './helpers/child-checkout.ts';
import { setUpWorld, terminalClient } from './helpers/kill-load.ts';
import { openSqliteStore } from '../../checkout/sqlite/store.ts';
import type { CheckoutStore } from '../../checkout/store.ts';
import { reportFigures } from './helpers/scale.ts';

const N = 10;
const figures: Record<string, Record<string, number>> = {};
afterAll(() => reportFigures('idempotency', { posts: N, outcomes: figures }));

/** Settles all, and counts outcomes by status name ("OK" for a success). */
async function outcomes(name: string, ps: Array<Promise<unknown>>): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await Promise.allSettled(ps)) {
    if (r.status === 'rejected' && !(r.reason instanceof CheckoutHttpError)) throw r.reason;
    const key = r.status === 'fulfilled' ? 'OK' : (r.reason as CheckoutHttpError).statusName;
    out[key] = (out[key] ?? 0) + 1;
  }
  figures[name] = out;
  return out;
}

/** Through the store: the payments and trades of this order number, after checking no paid trade lacks its payment. */
async function paymentsFor(
  store: CheckoutStore,
  merchantId: string,
  outTradeNo: string,
): Promise<{ payments: number; trades: number }> {
  expect(await store.audit.paidTradesWithoutPayment()).toBe(0);
  const payments = (await store.audit.payments()).filter((p) => p.outTradeNo === outTradeNo).length;
  const trades = (await store.ledger.trade(merchantId, outTradeNo)) ? 1 : 0;
  return { payments, trades };
}

describe('idempotency under concurrency, one checkout', () => {
  let h: Harness;
  let shop: Terminal;
  let o: OwnedBand;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
    o = await ownerWithBand(h);
  });
  afterAll(() => h.close());

  it(`the same answer posted ${N} times at once is charged once`, async () => {
    const trade = await newTrade(shop, 42_00);
    const ch = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const answer = o.band.pay(o.band.open(ch.message));
    const got = await outcomes(
      'sameAnswer',
      Array.from({ length: N }, () => shop.client.answer(ch.challengeId, answer)),
    );
    expect(got).toEqual({ OK: 1, REPLAYED: N - 1 });
    expect(await paymentsFor(h.checkout.store, shop.merchantId, trade.outTradeNo)).toEqual({ payments: 1, trades: 1 });
    const ledger = await o.client.ledger();
    expect(ledger.payments.filter((p) => p.tradeNo === trade.tradeNo)).toHaveLength(1);
  });

  it(`${N} challenges for one trade answered at once pay it once`, async () => {
    const trade = await newTrade(shop, 7_00);
    const answers = [];
    for (let i = 0; i < N; i++) {
      const ch = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
      answers.push({ id: ch.challengeId, bytes: o.band.pay(o.band.open(ch.message)) });
    }
    const got = await outcomes(
      'manyChallenges',
      answers.map((a) => shop.client.answer(a.id, a.bytes)),
    );
    expect(got.OK).toBe(1);
    // The losers see the trade paid, or their counter already passed by the winner's.
    expect((got.TRADE_CLOSED ?? 0) + (got.COUNTER_NOT_INCREASING ?? 0)).toBe(N - 1);
    expect(await paymentsFor(h.checkout.store, shop.merchantId, trade.outTradeNo)).toEqual({ payments: 1, trades: 1 });
  });

  it(`one outTradeNo created ${N} times at once is one trade; one refund number ${N} times refunds once`, async () => {
    const req = { outTradeNo: `same-${Date.now()}`, amount: 9_00, currency: 'CNY', subject: 'tea' };
    const made = await Promise.all(Array.from({ length: N }, () => shop.client.createTrade(req)));
    expect(new Set(made.map((t) => t.tradeNo)).size).toBe(1);
    const ch = await shop.client.payWithBand(req.outTradeNo, o.band.hello());
    await shop.client.answer(ch.challengeId, o.band.pay(o.band.open(ch.message)));
    const refunds = await Promise.all(
      Array.from({ length: N }, () => shop.client.refund(req.outTradeNo, { outRequestNo: 'r-1', amount: 3_00 })),
    );
    expect(refunds.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(refunds.map((r) => r.refund.refundId)).size).toBe(1);
    const q = await shop.client.queryTrade(req.outTradeNo);
    expect(q.refunds).toHaveLength(1);
    expect(q.trade.refundedAmount).toBe(3_00);
    expect(await paymentsFor(h.checkout.store, shop.merchantId, req.outTradeNo)).toEqual({ payments: 1, trades: 1 });
  });
});

describe('idempotency under concurrency, two checkout processes on one file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-idem-'));
  const dbFile = join(dir, 'checkout.db');
  const children: ChildCheckout[] = [];
  afterAll(async () => {
    for (const c of children) await c.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`the same answer posted ${N} times at once, split across both, is charged once`, async () => {
    children.push(await startChildCheckout(dbFile));
    const w = await setUpWorld(children[0].url, 1);
    children.push(await startChildCheckout(dbFile));
    const [a, b] = children.map((c) => terminalClient(c.url, w));
    const band = w.lanes[0].band;
    for (let round = 0; round < 3; round++) {
      const outTradeNo = `two-${round}`;
      await a.createTrade({ outTradeNo, amount: 15_00, currency: 'CNY', subject: 'two instances' });
      const ch = await b.payWithBand(outTradeNo, band.hello());
      const answer = band.pay(band.open(ch.message), { confirmed: true });
      const got = await outcomes(
        `twoProcesses${round}`,
        Array.from({ length: N }, (_, i) => (i % 2 ? a : b).answer(ch.challengeId, answer)),
      );
      expect(got).toEqual({ OK: 1, REPLAYED: N - 1 });
      const store = openSqliteStore(dbFile);
      try {
        expect(await paymentsFor(store, w.merchantId, outTradeNo)).toEqual({ payments: 1, trades: 1 });
      } finally {
        await store.close();
      }
    }
  });
});
