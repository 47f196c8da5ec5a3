/** Paying with the band: the happy path, the password-free limits, wear state, express transit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WearState } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  type OwnedBand,
  type Terminal,
  addCard,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  payWithBand,
} from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';

describe('paying with the band', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it('pays a trade under the limit: receipt, RESULT for the band, ledger and trade updated', async () => {
    const o: OwnedBand = await ownerWithBand(h);
    const trade = await newTrade(shop, 12_00);
    const challenge = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    expect(challenge.kind).toBe('payment');
    const opened = o.band.open(challenge.message);
    expect(opened.body).toMatchObject({
      amount: 12_00,
      currency: 'CNY',
      merchantId: shop.merchantId,
      merchantName: 'Lawson Jing an',
      terminalId: shop.terminalId,
      orderId: trade.outTradeNo,
    });
    // The challenge names the owner's default bank card, the one the band shows first; the token names it too.
    expect(opened.body).toMatchObject({ cardRef: o.cardRef });
    const out = await shop.client.answer(challenge.challengeId, o.band.pay(opened));
    expect(out.receipt).toMatchObject({
      outTradeNo: trade.outTradeNo,
      amount: 12_00,
      currency: 'CNY',
      method: 'band',
      merchantName: 'Lawson Jing an',
      card: { kind: 'bank', issuer: 'ICBC', city: null },
    });
    expect(o.band.readResult(opened, out.result)).toEqual({ status: Status.OK });
    const q = await shop.client.queryTrade(trade.outTradeNo);
    expect(q.trade.status).toBe('TRADE_SUCCESS');
    expect(q.payment).toMatchObject({ amount: 12_00, method: 'band', deviceId: o.deviceId });
    const ledger = await o.client.ledger();
    expect(ledger.payments.map((p) => p.tradeNo)).toEqual([trade.tradeNo]);
  });

  it('refuses above the per-payment limit without a button press, accepts with one', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 250_00); // limit 200.00
    const challenge = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const opened = o.band.open(challenge.message);
    const err = await refusal(shop.client.answer(challenge.challengeId, o.band.pay(opened)), 'LIMIT_EXCEEDED', 422);
    expect(o.band.readResult(opened, err.result as Uint8Array).status).toBe(Status.LIMIT_EXCEEDED);
    expect((await shop.client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
    const ok = await payWithBand(shop, o.band, trade.outTradeNo, { confirmed: true });
    expect(ok.receipt?.amount).toBe(250_00);
  });

  it('applies the day limit across payments', async () => {
    const o = await ownerWithBand(h);
    for (let i = 0; i < 2; i++) await payWithBand(shop, o.band, (await newTrade(shop, 180_00)).outTradeNo);
    const third = await newTrade(shop, 180_00); // 540.00 > 500.00 for the day
    await refusal(payWithBand(shop, o.band, third.outTradeNo), 'LIMIT_EXCEEDED');
    const small = await newTrade(shop, 100_00); // 460.00: still within the day
    await payWithBand(shop, o.band, small.outTradeNo);
    await payWithBand(shop, o.band, third.outTradeNo, { confirmed: true });
    expect((await o.client.ledger()).payments).toHaveLength(4);
  });

  it('refuses a band that is worn but locked, or off the wrist, before issuing a challenge', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 5_00);
    o.band.wearState = WearState.WORN_LOCKED;
    await refusal(shop.client.payWithBand(trade.outTradeNo, o.band.hello()), 'LOCKED', 422);
    o.band.wearState = WearState.OFF_WRIST;
    await refusal(shop.client.payWithBand(trade.outTradeNo, o.band.hello()), 'NOT_WORN', 422);
    o.band.wearState = WearState.CHARGING;
    await refusal(shop.client.payWithBand(trade.outTradeNo, o.band.hello()), 'CHARGING', 422);
  });

  it('refuses a token that claims another amount (CLAIM_MISMATCH) and one signed by another key', async () => {
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 8_00);
    let c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    await refusal(
      shop.client.answer(c.challengeId, o.band.pay(o.band.open(c.message), { claims: { amount: 1 } })),
      'CLAIM_MISMATCH',
    );
    c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    await refusal(
      shop.client.answer(c.challengeId, o.band.pay(o.band.open(c.message), { claims: { terminalId: 't_other' } })),
      'CLAIM_MISMATCH',
    );
    expect((await shop.client.queryTrade(trade.outTradeNo)).payment).toBeNull();
  });

  it('pays a transit fare in express mode with the band worn but locked, within the fare cap', async () => {
    const o = await ownerWithBand(h);
    await addCard(o, o.band, o.deviceId, { cityId: 'shanghai', balance: 20_00 });
    o.band.wearState = WearState.WORN_LOCKED;
    const fare = await newTrade(shop, 4_00, { subject: 'Metro Line 2' });
    const out = await payWithBand(shop, o.band, fare.outTradeNo, { express: true });
    expect(out.receipt?.card?.issuer).toBe('Shanghai Public Transport Card');
    const band = await o.client.band(o.deviceId);
    expect(band.cards.find((c) => c.kind === 'transit')?.balance).toBe(1000); // as the band reported it
    const tooMuch = await newTrade(shop, 31_00);
    await refusal(shop.client.payWithBand(tooMuch.outTradeNo, o.band.hello(), true), 'FARE_CAP_EXCEEDED');
    const hkd = await newTrade(shop, 4_00, { currency: 'HKD' });
    await refusal(shop.client.payWithBand(hkd.outTradeNo, o.band.hello(), true), 'CARD_NOT_FOUND', 404);
  });
});
