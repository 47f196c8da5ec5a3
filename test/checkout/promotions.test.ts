/**
 * Promotions end to end through the checkout's HTTP API with a band double: the challenge's
 * offers, the token that must sign them, the ledger, refunds, expiry, a promotion edited
 * between challenge and answer, and two fares racing for one free ride.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Promotion } from '../../checkout/core/promotion-file.ts';
import { checkPromotions } from '../../checkout/core/promotion-file.ts';
import type { PaymentChallenge } from '../../shared/messages/bodies.ts';
import { WearState } from '../../shared/protocol/constants.ts';
import { webLogin } from './helpers/attack.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PASSWORD,
  type Terminal,
  addCard,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  payWithBand,
  unique,
} from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';

const from = '2020-01-01T00:00:00Z';
const until = '2099-01-01T00:00:00Z';
const file = {
  promotions: [
    {
      id: 'icbc-dining',
      issuer: 'icbc',
      kind: 'percent-off',
      label: 'ICBC 10% off dining',
      validFrom: from,
      validUntil: until,
      category: 'dining',
      percent: 10,
    },
    {
      id: 'icbc-points',
      issuer: 'icbc',
      kind: 'points',
      label: 'ICBC 1 pt/CNY',
      validFrom: from,
      validUntil: until,
      per: 100,
      points: 1,
    },
    {
      id: 'ccb-gone',
      issuer: 'ccb',
      kind: 'amount-off',
      label: 'CCB expired',
      validFrom: '2020-01-01T00:00:00Z',
      validUntil: '2021-01-01T00:00:00Z',
      threshold: 100,
      discount: 50,
    },
    {
      id: 'sh-3rd-free',
      issuer: 'shanghai',
      kind: 'free-ride',
      label: '3rd ride free',
      validFrom: from,
      validUntil: until,
      after: 2,
    },
  ],
};

describe('promotions at the checkout', () => {
  let h: Harness;
  let promotions: Promotion[];
  let diner: Terminal;
  let shop: Terminal;
  beforeAll(async () => {
    promotions = checkPromotions(file, 'test');
    h = await startHarness(cheapTestConfig, promotions);
    diner = await merchantWithTerminal(h, 'Tea House', 'dining');
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it('offers the discount to the paying card; the band signs it; the receipt, ledger and points follow', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(diner, 12_55);
    const challenge = await diner.client.payWithBand(trade.outTradeNo, o.band.hello());
    const opened = o.band.open(challenge.message);
    expect((opened.body as PaymentChallenge).offers).toEqual([{ cardRef: o.cardRef, amount: 11_30 }]);
    const out = await diner.client.answer(challenge.challengeId, o.band.pay(opened));
    // The list amount stays the trade's (and the merchant's); the card paid 11.30 and earned 11 points on it.
    expect(out.receipt).toMatchObject({
      amount: 12_55,
      promotion: { listAmount: 12_55, discount: 1_25, charged: 11_30, points: 11, label: 'ICBC 10% off dining' },
    });
    expect((await diner.client.queryTrade(trade.outTradeNo)).payment?.amount).toBe(12_55);
    const rewards = await o.client.rewards();
    expect(rewards.balances).toEqual([{ cardRef: o.cardRef, issuer: 'ICBC', last4: expect.any(String), points: 11 }]);
    expect(rewards.uses[0]).toMatchObject({ tradeNo: trade.tradeNo, discount: 1_25, charged: 11_30, points: 11 });
  });

  it("the owner's dashboard shows points per card and each promotion applied", async () => {
    const o = await ownerWithBand(h);
    await payWithBand(diner, o.band, (await newTrade(diner, 50_00)).outTradeNo);
    const login = await webLogin(h.server.url, o.username, PASSWORD);
    const page = await (
      await fetch(`${h.server.url}/dashboard`, { headers: { cookie: `wp_session=${login.cookies.wp_session}` } })
    ).text();
    expect(page).toContain('<h2 id="rewards">Rewards</h2>');
    expect(page).toMatch(/<td>ICBC •••• \d{4}<\/td><td class="points">45<\/td>/);
    expect(page).toContain('<td>ICBC 10% off dining</td><td>50.00 CNY</td>');
    expect(page).toContain('<td>5.00 CNY</td><td>45.00 CNY</td><td>45</td>');
  });

  it('refuses a token signed for the list amount when an offer applied (CLAIM_MISMATCH), and records nothing', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(diner, 20_00);
    const challenge = await diner.client.payWithBand(trade.outTradeNo, o.band.hello());
    const opened = o.band.open(challenge.message);
    await refusal(
      diner.client.answer(challenge.challengeId, o.band.pay(opened, { claims: { amount: 20_00 } })),
      'CLAIM_MISMATCH',
      422,
    );
    expect((await diner.client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
    expect((await o.client.rewards()).balances).toEqual([]);
  });

  it('no category, no discount: points only, and no offer on the air', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 5_99);
    const challenge = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const opened = o.band.open(challenge.message);
    expect(opened.body).not.toHaveProperty('offers');
    const out = await shop.client.answer(challenge.challengeId, o.band.pay(opened));
    expect(out.receipt?.promotion).toEqual({ listAmount: 5_99, discount: 0, charged: 5_99, points: 5, label: null });
  });

  it('an expired promotion does not apply', async () => {
    const o = await ownerWithBand(h);
    await addCard(o, o.band, o.deviceId, { issuerId: 'ccb' });
    // Pay with the CCB card: its only promotion ended in 2021.
    const trade = await newTrade(shop, 10_00);
    const challenge = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const opened = o.band.open(challenge.message);
    expect(opened.body).not.toHaveProperty('offers');
  });

  it('the answer applies what the challenge promised, even after the promotion was edited', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(diner, 30_00);
    const challenge = await diner.client.payWithBand(trade.outTradeNo, o.band.hello());
    const opened = o.band.open(challenge.message);
    const kept = promotions.splice(0, promotions.length); // the operator withdraws every promotion
    try {
      const out = await diner.client.answer(challenge.challengeId, o.band.pay(opened));
      expect(out.receipt?.promotion).toMatchObject({ discount: 3_00, charged: 27_00, points: 27 });
    } finally {
      promotions.push(...kept);
    }
  });

  it('refunds reverse the discount and points in proportion; a full refund reverses all, never below 0', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(diner, 33_33); // 10%: 3.33 off, 30.00 charged, 30 points
    await payWithBand(diner, o.band, trade.outTradeNo);
    expect((await o.client.rewards()).balances[0].points).toBe(30);
    await diner.client.refund(trade.outTradeNo, { outRequestNo: unique('r'), amount: 11_11 }); // a third
    let r = await o.client.rewards();
    expect(r.uses[0]).toMatchObject({ discountReversed: 1_11, pointsReversed: 10 });
    expect(r.balances[0].points).toBe(20);
    await diner.client.refund(trade.outTradeNo, { outRequestNo: unique('r'), amount: 22_22 }); // the rest
    r = await o.client.rewards();
    expect(r.uses[0]).toMatchObject({ discountReversed: 3_33, pointsReversed: 30 });
    expect(r.balances[0].points).toBe(0);
  });

  it('two fares racing for the free ride: only one rides free, the other is refused CONFLICT', async () => {
    const o = await ownerWithBand(h);
    await addCard(o, o.band, o.deviceId, { cityId: 'shanghai', balance: 50_00 });
    o.band.wearState = WearState.WORN_LOCKED;
    for (let i = 0; i < 2; i++) {
      const out = await payWithBand(shop, o.band, (await newTrade(shop, 3_00)).outTradeNo, { express: true });
      expect(out.receipt?.promotion).toBeUndefined();
    }
    // Two challenges issued at 2 rides: both offer the third ride free.
    const [a, b] = [await newTrade(shop, 3_00), await newTrade(shop, 3_00)];
    const ca = await shop.client.payWithBand(a.outTradeNo, o.band.hello(), true);
    const cb = await shop.client.payWithBand(b.outTradeNo, o.band.hello(), true);
    const oa = o.band.open(ca.message);
    const ob = o.band.open(cb.message);
    expect((oa.body as PaymentChallenge).offers?.[0]).toEqual({ cardRef: expect.any(String), amount: 0 });
    const outcomes = await Promise.allSettled([
      shop.client.answer(ca.challengeId, o.band.pay(oa, { express: true })),
      shop.client.answer(cb.challengeId, o.band.pay(ob, { express: true })),
    ]);
    const won = outcomes.filter((x) => x.status === 'fulfilled');
    const lost = outcomes.filter((x) => x.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ statusName: 'CONFLICT' });
    expect(
      (won[0] as PromiseFulfilledResult<{ receipt?: { promotion?: unknown } }>).value.receipt?.promotion,
    ).toMatchObject({ discount: 3_00, charged: 0 });
    // The count starts again: the next fare is charged.
    const next = await payWithBand(shop, o.band, (await newTrade(shop, 3_00)).outTradeNo, { express: true });
    expect(next.receipt?.promotion).toBeUndefined();
  });
});
