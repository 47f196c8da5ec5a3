/** The trade API: idempotent create, close, refunds (partial, capped, idempotent), password fallback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PASSWORD,
  PAY_PASSWORD,
  type Terminal,
  merchantWithTerminal,
  newOwner,
  newTrade,
  ownerWithBand,
  payWithBand,
  unique,
} from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { MAX_TRADE_AMOUNT } from '../../checkout/core/trade-terms.ts';

describe('trades', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it('pairs terminals to their merchant, and a terminal can present a band outside any trade', async () => {
    const terminals = await shop.merchant.terminals();
    expect(terminals.map((t) => t.terminalId)).toEqual([shop.terminalId]);
    expect(terminals[0]).toMatchObject({ merchantId: shop.merchantId, name: 'till 1' });
    await refusal(
      h.client.pairTerminal('ABCDEFGH', h.provider.p256PublicKey(h.provider.p256Generate())),
      'UNAUTHORIZED',
    );
    const o = await ownerWithBand(h);
    expect(await shop.client.hello(o.band.hello())).toEqual({ wearState: 2 });
  });

  it('is idempotent by outTradeNo: same terms → same trade, other terms → CONFLICT', async () => {
    const req = { outTradeNo: unique('o-'), amount: 42_00, currency: 'CNY', subject: 'noodles' };
    const a = await shop.client.createTrade(req);
    const b = await shop.client.createTrade(req);
    expect(b.tradeNo).toBe(a.tradeNo);
    await refusal(shop.client.createTrade({ ...req, amount: 43_00 }), 'CONFLICT', 409);
    await refusal(shop.client.createTrade({ ...req, subject: 'rice' }), 'CONFLICT');
    expect((await h.checkout.store.ledger.counts()).trades).toBeGreaterThan(0);
  });

  it('refuses a currency that is no ISO 4217 code and an amount above the most one trade may be (trade-terms.ts)', async () => {
    const req = { outTradeNo: unique('o-'), amount: 42_00, currency: 'CNY', subject: 'noodles' };
    await refusal(shop.client.createTrade({ ...req, currency: 'XYZ' }), 'MALFORMED', 400);
    await refusal(shop.client.createTrade({ ...req, amount: MAX_TRADE_AMOUNT + 1 }), 'MALFORMED', 400);
    expect((await shop.client.createTrade({ ...req, currency: 'MOP', amount: MAX_TRADE_AMOUNT })).currency).toBe('MOP');
  });

  it('closes an unpaid trade (twice is fine) and refuses to pay or close a paid one', async () => {
    const t = await newTrade(shop, 10_00);
    expect((await shop.client.closeTrade(t.outTradeNo)).status).toBe('TRADE_CLOSED');
    expect((await shop.client.closeTrade(t.outTradeNo)).status).toBe('TRADE_CLOSED');
    const o = await ownerWithBand(h);
    await refusal(shop.client.payWithBand(t.outTradeNo, o.band.hello()), 'TRADE_CLOSED');
    await refusal(shop.client.payWithPassword(t.outTradeNo, o.username, PAY_PASSWORD), 'TRADE_CLOSED');
    const paid = await newTrade(shop, 10_00);
    await payWithBand(shop, o.band, paid.outTradeNo);
    await refusal(shop.client.closeTrade(paid.outTradeNo), 'TRADE_CLOSED');
  });

  it('a challenge issued just before the trade times out cannot pay it after: TRADE_CLOSED, nothing written', async () => {
    const o = await ownerWithBand(h);
    const t = await newTrade(shop, 7_00);
    h.clock.advance(h.checkout.ctx.config.tradeTtlMs - 10_000);
    const challenge = await shop.client.payWithBand(t.outTradeNo, o.band.hello());
    h.clock.advance(20_000); // the challenge has 40 s left; the trade is 10 s past its timeout
    const answer = o.band.pay(o.band.open(challenge.message));
    await refusal(shop.client.answer(challenge.challengeId, answer), 'TRADE_CLOSED');
    const after = await shop.client.queryTrade(t.outTradeNo);
    expect(after.trade.status).not.toBe('TRADE_SUCCESS');
    expect(after.payment).toBeNull();
  });

  it('refunds partially, never above what was paid, idempotent by refund number', async () => {
    const o = await ownerWithBand(h);
    const t = await newTrade(shop, 100_00);
    // Unpaid: nothing to refund, which is not "too much" (issue 14, item 6).
    await refusal(shop.client.refund(t.outTradeNo, { outRequestNo: 'r0', amount: 1 }), 'TRADE_NOT_PAID', 409);
    await payWithBand(shop, o.band, t.outTradeNo);
    const r1 = await shop.client.refund(t.outTradeNo, { outRequestNo: 'r1', amount: 30_00, reason: 'one cup cold' });
    expect(r1).toMatchObject({
      created: true,
      refund: { amount: 30_00 },
      trade: { refundedAmount: 30_00, status: 'TRADE_SUCCESS' },
    });
    const again = await shop.client.refund(t.outTradeNo, { outRequestNo: 'r1', amount: 30_00 });
    expect(again.created).toBe(false);
    expect(again.refund.refundId).toBe(r1.refund.refundId);
    await refusal(shop.client.refund(t.outTradeNo, { outRequestNo: 'r1', amount: 31_00 }), 'CONFLICT');
    await refusal(shop.client.refund(t.outTradeNo, { outRequestNo: 'r2', amount: 70_01 }), 'REFUND_EXCEEDS_PAID');
    const rest = await shop.client.refund(t.outTradeNo, { outRequestNo: 'r2', amount: 70_00 });
    expect(rest.trade).toMatchObject({ refundedAmount: 100_00, status: 'TRADE_CLOSED' });
    await refusal(shop.client.refund(t.outTradeNo, { outRequestNo: 'r3', amount: 1 }), 'REFUND_EXCEEDS_PAID');
    const q = await shop.client.queryTrade(t.outTradeNo);
    expect(q.refunds.map((r) => r.amount)).toEqual([30_00, 70_00]);
    expect((await o.client.ledger()).refunds).toHaveLength(2);
  });

  it('refunding a closed, never-paid trade says TRADE_NOT_PAID and writes nothing', async () => {
    const t = await newTrade(shop, 10_00);
    await shop.client.closeTrade(t.outTradeNo);
    const before = await h.checkout.store.ledger.counts();
    await refusal(shop.client.refund(t.outTradeNo, { outRequestNo: 'r0', amount: 10_00 }), 'TRADE_NOT_PAID', 409);
    expect(await h.checkout.store.ledger.counts()).toEqual(before);
  });

  it('concurrent refunds cannot together exceed the amount paid', async () => {
    const o = await ownerWithBand(h);
    const t = await newTrade(shop, 50_00);
    await payWithBand(shop, o.band, t.outTradeNo);
    const results = await Promise.allSettled(
      [1, 2, 3].map((i) => shop.client.refund(t.outTradeNo, { outRequestNo: `c${i}`, amount: 20_00 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect((await shop.client.queryTrade(t.outTradeNo)).trade.refundedAmount).toBe(40_00);
  });

  it('falls back to the payment password when no band can sign; 5 wrong block it until the owner unblocks it', async () => {
    const o = await newOwner(h); // no band at all
    const t = await newTrade(shop, 300_00); // above the password-free limit: the password is the authority
    await refusal(shop.client.payWithPassword(t.outTradeNo, o.username, '000000'), 'UNAUTHORIZED', 401);
    const { receipt, trade } = await shop.client.payWithPassword(t.outTradeNo, o.username, PAY_PASSWORD);
    expect(receipt).toMatchObject({ method: 'password', amount: 300_00, card: null });
    expect(trade.status).toBe('TRADE_SUCCESS');
    await refusal(shop.client.payWithPassword(t.outTradeNo, o.username, PAY_PASSWORD), 'TRADE_CLOSED');
    const t2 = await newTrade(shop, 1_00);
    for (let i = 0; i < 5; i++)
      await refusal(
        shop.client.payWithPassword(t2.outTradeNo, o.username, '111111'),
        i < 4 ? 'UNAUTHORIZED' : 'PAY_PASSWORD_BLOCKED',
      );
    await refusal(shop.client.payWithPassword(t2.outTradeNo, o.username, PAY_PASSWORD), 'PAY_PASSWORD_BLOCKED', 423);
    expect((await o.client.me()).paymentPasswordBlocked).toBe(true);
    h.clock.advance(24 * 3600_000);
    const t3 = await newTrade(shop, 1_00); // t2 has expired unpaid meanwhile (tradeTtlMs)
    await refusal(shop.client.payWithPassword(t3.outTradeNo, o.username, PAY_PASSWORD), 'PAY_PASSWORD_BLOCKED'); // time does not unblock it
    const owner = await h.client.loginAs(o.username, PASSWORD); // a separate counter: the login is untouched
    await refusal(owner.unblockPaymentPassword('wrong password'), 'UNAUTHORIZED');
    expect((await owner.unblockPaymentPassword(PASSWORD)).account.paymentPasswordBlocked).toBe(false);
    await shop.client.payWithPassword(t3.outTradeNo, o.username, PAY_PASSWORD);
  });
});
