/**
 * The card at the tap, the checkout's half (docs/FIRMWARE.md, "The card at the tap"; docs/CHECKOUT.md):
 * the owner's default card per kind, named in every payment challenge; a token naming another
 * bank card of the band (the wearer switched) pays from that card, and only what a switch can
 * reach does; the receipt shows the card that paid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentChallenge } from '../../shared/messages/bodies.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  type OwnedBand,
  type Terminal,
  addCard,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
} from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';

describe('default cards and the card chosen at the tap', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  async function withCards(): Promise<{ o: OwnedBand; cmb: string; hsbc: string; metro: string; beijing: string }> {
    const o = await ownerWithBand(h); // ICBC (CNY), the bank default
    const cmb = (await addCard(o, o.band, o.deviceId, { issuerId: 'cmb' })).cardRef;
    const hsbc = (await addCard(o, o.band, o.deviceId, { issuerId: 'hsbc-hk' })).cardRef;
    const metro = (await addCard(o, o.band, o.deviceId, { cityId: 'shanghai' })).cardRef;
    const beijing = (await addCard(o, o.band, o.deviceId, { cityId: 'beijing' })).cardRef;
    return { o, cmb, hsbc, metro, beijing };
  }

  async function challengeFor(o: OwnedBand, amount: number, opts: { express?: boolean; currency?: string } = {}) {
    const trade = await newTrade(shop, amount, { currency: opts.currency ?? 'CNY' });
    const challenge = await shop.client.payWithBand(trade.outTradeNo, o.band.hello(), opts.express);
    const opened = o.band.open(challenge.message);
    return { trade, challenge, opened, body: opened.body as PaymentChallenge };
  }

  it('the first card of each kind is its default; setting one moves only that kind', async () => {
    const { o, cmb, metro, beijing } = await withCards();
    const defaults = async () =>
      (await o.client.band(o.deviceId)).cards.filter((c) => c.isDefault).map((c) => [c.kind, c.cardRef]);
    expect(await defaults()).toEqual([
      ['bank', o.cardRef],
      ['transit', metro],
    ]);
    expect(await o.client.setDefaultCard(o.deviceId, cmb)).toMatchObject({ cardRef: cmb, isDefault: true });
    expect(await o.client.setDefaultCard(o.deviceId, beijing)).toMatchObject({ cardRef: beijing, isDefault: true });
    expect((await defaults()).sort()).toEqual([
      ['bank', cmb],
      ['transit', beijing],
    ]);
  });

  it('refuses to make a default of an unknown card, a removed one, or a card of another band', async () => {
    const { o, cmb } = await withCards();
    const other = await ownerWithBand(h);
    await refusal(o.client.setDefaultCard(o.deviceId, 'tok_nowhere'), 'CARD_NOT_FOUND', 404);
    await refusal(o.client.setDefaultCard(o.deviceId, other.cardRef), 'CARD_NOT_FOUND', 404);
    await refusal(o.client.setDefaultCard(other.deviceId, cmb), 'FORBIDDEN', 403);
    const removal = await o.client.removeCard(o.deviceId, cmb);
    await refusal(o.client.setDefaultCard(o.deviceId, cmb), 'CARD_NOT_FOUND', 404); // being removed
    await o.client.answer(removal.challengeId, o.band.answerOk(o.band.open(removal.message)));
    await refusal(o.client.setDefaultCard(o.deviceId, cmb), 'CARD_NOT_FOUND', 404);
  });

  it('each payment challenge names the default of its kind in the trade currency', async () => {
    const { o, cmb, hsbc, beijing } = await withCards();
    expect((await challengeFor(o, 12_00)).body.cardRef).toBe(o.cardRef);
    await o.client.setDefaultCard(o.deviceId, cmb);
    expect((await challengeFor(o, 12_00)).body.cardRef).toBe(cmb);
    // The bank default is CNY; an HKD trade starts with the HKD card.
    expect((await challengeFor(o, 12_00, { currency: 'HKD' })).body.cardRef).toBe(hsbc);
    await o.client.setDefaultCard(o.deviceId, beijing);
    expect((await challengeFor(o, 3_00, { express: true })).body.cardRef).toBe(beijing);
  });

  it('a token naming another bank card of the band in the currency pays from it; the receipt shows it', async () => {
    const { o, cmb } = await withCards();
    const { trade, challenge, opened, body } = await challengeFor(o, 12_00);
    expect(body.cardRef).toBe(o.cardRef);
    const r = await shop.client.answer(challenge.challengeId, o.band.pay(opened, { claims: { cardRef: cmb } }));
    expect(r.receipt?.card).toEqual({
      kind: 'bank',
      issuer: 'China Merchants Bank',
      last4: expect.any(String),
      city: null,
    });
    const q = await shop.client.queryTrade(trade.outTradeNo);
    expect(q.payment?.card).toEqual(r.receipt?.card);
    const cards = (await o.client.band(o.deviceId)).cards;
    expect(r.receipt?.card?.last4).toBe(cards.find((c) => c.cardRef === cmb)?.last4);
  });

  it('refuses a switch a band cannot make: other currency, transit card, another band, express', async () => {
    const { o, hsbc, metro } = await withCards();
    const other = await ownerWithBand(h);
    for (const [cardRef, name] of [
      [hsbc, 'CURRENCY_MISMATCH'],
      [metro, 'CLAIM_MISMATCH'],
      [other.cardRef, 'CLAIM_MISMATCH'],
      ['tok_nowhere', 'CLAIM_MISMATCH'],
    ] as const) {
      const { trade, challenge, opened } = await challengeFor(o, 12_00);
      await refusal(shop.client.answer(challenge.challengeId, o.band.pay(opened, { claims: { cardRef } })), name);
      expect((await shop.client.queryTrade(trade.outTradeNo)).payment).toBeNull();
    }
    const fare = await challengeFor(o, 3_00, { express: true });
    await refusal(
      shop.client.answer(fare.challenge.challengeId, o.band.pay(fare.opened, { claims: { cardRef: o.cardRef } })),
      'CLAIM_MISMATCH',
    );
  });

  it('the card switched to was removed while the band waited: CARD_NOT_FOUND, nothing paid', async () => {
    const { o, cmb } = await withCards();
    const { trade, challenge, opened } = await challengeFor(o, 12_00);
    await o.client.removeCard(o.deviceId, cmb); // issued during the window (the band answers it later)
    await refusal(
      shop.client.answer(challenge.challengeId, o.band.pay(opened, { claims: { cardRef: cmb } })),
      'CARD_NOT_FOUND',
    );
    expect((await shop.client.queryTrade(trade.outTradeNo)).payment).toBeNull();
  });

  it('the default changed while the band waited: the card it showed still pays; the next tap starts with the new one', async () => {
    const { o, cmb } = await withCards();
    const { trade, challenge, opened, body } = await challengeFor(o, 12_00);
    expect(body.cardRef).toBe(o.cardRef);
    await Promise.all([
      o.client.setDefaultCard(o.deviceId, cmb),
      o.client.setDefaultCard(o.deviceId, cmb), // twice at once: the same outcome
    ]);
    const r = await shop.client.answer(challenge.challengeId, o.band.pay(opened));
    expect(r.receipt?.card).toMatchObject({ issuer: 'ICBC' });
    expect((await shop.client.queryTrade(trade.outTradeNo)).trade.status).toBe('TRADE_SUCCESS');
    expect((await challengeFor(o, 5_00)).body.cardRef).toBe(cmb);
  });

  it('a switched card keeps its own counter: a replayed counter of that card is refused', async () => {
    const { o, cmb } = await withCards();
    const first = await challengeFor(o, 12_00);
    await shop.client.answer(
      first.challenge.challengeId,
      o.band.pay(first.opened, { claims: { cardRef: cmb }, counter: 5 }),
    );
    const again = await challengeFor(o, 12_00);
    await refusal(
      shop.client.answer(
        again.challenge.challengeId,
        o.band.pay(again.opened, { claims: { cardRef: cmb }, counter: 5 }),
      ),
      'COUNTER_NOT_INCREASING',
    );
  });
});
