/**
 * A hostile relay and a misbehaving band: replayed answers, late answers, replayed
 * counters, flipped bits, another merchant's terminal. Each attempt is refused with its
 * status and the ledger records each payment exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMessageOf, encodeMessage } from '../../shared/messages/index.ts';
import { Status, type StatusName, statusName } from '../../shared/status/codes.ts';
import { CheckoutClient } from '../../checkout/api/client.ts';
import { refusal } from './helpers/expect-refusal.ts';
import { type Terminal, merchantWithTerminal, newTrade, ownerWithBand, payWithBand } from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';

describe('attacks on the payment path', () => {
  let h: Harness;
  let shop: Terminal;
  let rival: Terminal;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
    rival = await merchantWithTerminal(h, 'Rival Mart');
  });
  afterAll(() => h.close());

  it('charges once when the same answer is posted twice (REPLAYED), and a paid trade cannot be paid again', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 30_00);
    const c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const answer = o.band.pay(o.band.open(c.message));
    const before = await h.checkout.store.ledger.counts();
    const [a, b] = await Promise.allSettled([
      shop.client.answer(c.challengeId, answer),
      shop.client.answer(c.challengeId, answer),
    ]);
    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    await refusal(shop.client.answer(c.challengeId, answer), 'REPLAYED', 409);
    await refusal(shop.client.payWithBand(trade.outTradeNo, o.band.hello()), 'TRADE_CLOSED', 409);
    const after = await h.checkout.store.ledger.counts();
    expect(after.payments - before.payments).toBe(1);
  });

  it('two challenges for one trade, both answered: only the first pays', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 9_00);
    const c1 = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const c2 = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const a1 = o.band.pay(o.band.open(c1.message));
    const a2 = o.band.pay(o.band.open(c2.message));
    await shop.client.answer(c1.challengeId, a1);
    await refusal(shop.client.answer(c2.challengeId, a2), 'TRADE_CLOSED');
    expect((await o.client.ledger()).payments).toHaveLength(1);
  });

  it('refuses an answer that arrives after the challenge expired', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 7_00);
    const c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const answer = o.band.pay(o.band.open(c.message));
    h.clock.advance(61_000);
    await refusal(shop.client.answer(c.challengeId, answer), 'EXPIRED', 410);
    expect((await shop.client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
  });

  it('the challenge names the default bank card; a token naming a card of another band is CLAIM_MISMATCH', async () => {
    const o = await ownerWithBand(h);
    const stranger = await ownerWithBand(h);
    const trade = await newTrade(shop, 2_00);
    const c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const opened = o.band.open(c.message);
    expect(opened.body).toMatchObject({ cardRef: o.cardRef });
    // (Another bank card of the same band pays: the wearer switched at the tap, card-at-tap.test.ts.)
    const err = await refusal(
      shop.client.answer(c.challengeId, o.band.pay(opened, { claims: { cardRef: stranger.cardRef } })),
      'CLAIM_MISMATCH',
      422,
    );
    expect(err.result).toBeDefined();
    expect((await shop.client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
    const ok = await payWithBand(shop, o.band, trade.outTradeNo);
    expect(ok.receipt?.card).toEqual({
      kind: 'bank',
      issuer: 'ICBC',
      last4: expect.stringMatching(/^[0-9]{4}$/),
      city: null,
    });
  });

  it('refuses a counter that does not increase for the card', async () => {
    const o = await ownerWithBand(h);
    await payWithBand(shop, o.band, (await newTrade(shop, 1_00)).outTradeNo, { counter: 5 });
    const t2 = await newTrade(shop, 1_00);
    await refusal(payWithBand(shop, o.band, t2.outTradeNo, { counter: 5 }), 'COUNTER_NOT_INCREASING', 409);
    await refusal(payWithBand(shop, o.band, t2.outTradeNo, { counter: 4 }), 'COUNTER_NOT_INCREASING');
    await payWithBand(shop, o.band, t2.outTradeNo, { counter: 6 });
  });

  it('a relay flipping bits gets DECRYPT_FAILED and cannot burn the challenge', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 3_00);
    const c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const answer = o.band.pay(o.band.open(c.message));
    const m = decodeMessageOf(answer, 'answer');
    if (!m.ok) throw new Error('unreachable');
    const sealed = m.value.sealed.slice();
    sealed[sealed.length - 1] ^= 1;
    await refusal(shop.client.answer(c.challengeId, encodeMessage({ type: 'answer', sealed })), 'DECRYPT_FAILED', 400);
    const ok = await shop.client.answer(c.challengeId, answer);
    expect(ok.receipt?.amount).toBe(3_00);
  });

  it("passes on the band's own refusal as a 422, even a status that would otherwise be a 5xx", async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 4_00);
    for (const status of [Status.DECLINED_BY_USER, Status.INTERNAL, Status.TIMEOUT] as const) {
      const c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
      const opened = o.band.open(c.message);
      const err = await refusal(
        shop.client.answer(c.challengeId, o.band.answer(opened, { status })),
        statusName(status) as StatusName,
        422,
      );
      expect(o.band.readResult(opened, err.result as Uint8Array).status).toBe(status);
      await refusal(shop.client.answer(c.challengeId, o.band.answer(opened, { status: Status.OK })), 'REPLAYED'); // spent
    }
    expect((await shop.client.queryTrade(trade.outTradeNo)).payment).toBeNull();
  });

  it("a terminal of another merchant cannot see or touch the first merchant's trade", async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 15_00);
    await refusal(rival.client.queryTrade(trade.outTradeNo), 'NOT_FOUND', 404);
    await refusal(rival.client.payWithBand(trade.outTradeNo, o.band.hello()), 'NOT_FOUND');
    await refusal(rival.client.refund(trade.outTradeNo, { outRequestNo: 'r1', amount: 1 }), 'NOT_FOUND');
    await refusal(rival.client.closeTrade(trade.outTradeNo), 'NOT_FOUND');
    await refusal(rival.client.payWithPassword(trade.outTradeNo, o.username, '135790'), 'NOT_FOUND');
    const c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const answer = o.band.pay(o.band.open(c.message));
    await refusal(rival.client.answer(c.challengeId, answer), 'FORBIDDEN', 403);
    await refusal(new CheckoutClient(h.server.url).answer(c.challengeId, answer), 'UNAUTHORIZED', 401);
    // The rival's own order number may equal ours: order numbers are per merchant.
    const same = await rival.client.createTrade({
      outTradeNo: trade.outTradeNo,
      amount: 1_00,
      currency: 'CNY',
      subject: 'gum',
    });
    expect(same.tradeNo).not.toBe(trade.tradeNo);
    await shop.client.answer(c.challengeId, answer);
    expect((await shop.client.queryTrade(trade.outTradeNo)).trade.status).toBe('TRADE_SUCCESS');
    expect((await rival.client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
  });
});
