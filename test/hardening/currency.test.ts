/**
 * Issue 11, finding 10 (currency): a trade is paid only from a card of its own currency,
 * whichever way the payment comes (band challenge, band answer, payment password), and
 * the password-free day limit holds across currencies (kept in CNY, other currencies at a
 * fixed configured rate, core/limit-currency.ts): switching currency buys nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueChallenge } from '../../checkout/core/challenges.ts';
import type { BandRow } from '../../checkout/store.ts';
import type { SqliteStore } from '../../checkout/sqlite/store.ts';
import { refusal } from '../checkout/helpers/expect-refusal.ts';
import {
  type OwnedBand,
  PAY_PASSWORD,
  type Terminal,
  addCard,
  enrollBand,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  payWithBand,
  unlock,
} from '../checkout/helpers/fixtures.ts';
import { type Harness, startHarness } from '../../harness/checkout-harness.ts';

describe('a trade is paid only from a card of its currency', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    h = await startHarness();
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it('a USD trade is refused for a band whose card is CNY before any challenge is issued', async () => {
    const o = await ownerWithBand(h); // ICBC, CNY
    const usd = await newTrade(shop, 10_00, { currency: 'USD' });
    await refusal(shop.client.payWithBand(usd.outTradeNo, o.band.hello()), 'CURRENCY_MISMATCH', 422);
    expect((await shop.client.queryTrade(usd.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
  });

  it("a band's signed answer for a USD trade from its CNY card is refused, even on a challenge that linked them", async () => {
    const o = await ownerWithBand(h);
    const usd = await newTrade(shop, 10_00, { currency: 'USD' });
    // A challenge binding the CNY card to the USD trade, as a checkout without the issuing
    // check (an older instance sharing the database) would have made; the band signs it.
    const band = (await h.checkout.store.bands.byId(o.deviceId)) as BandRow;
    const trade = (await h.checkout.store.ledger.trade(shop.merchantId, usd.outTradeNo))!;
    const ch = await issueChallenge(
      h.checkout.ctx,
      band,
      {
        kind: 'payment',
        amount: trade.amount,
        currency: 'USD',
        merchantId: trade.merchantId,
        merchantName: shop.merchantName,
        terminalId: shop.terminalId,
        orderId: trade.outTradeNo,
        cardRef: undefined,
        express: false,
      },
      { tradeNo: trade.tradeNo, terminalId: shop.terminalId, cardRef: o.cardRef, express: false },
    );
    await refusal(shop.client.answer(ch.challengeId, o.band.pay(o.band.open(ch.message))), 'CURRENCY_MISMATCH', 422);
    expect((await shop.client.queryTrade(usd.outTradeNo)).payment).toBeNull();
  });

  it("the payment password pays from the payer's card too, so only in its currency", async () => {
    const o = await ownerWithBand(h);
    const usd = await newTrade(shop, 10_00, { currency: 'USD' });
    await refusal(shop.client.payWithPassword(usd.outTradeNo, o.username, PAY_PASSWORD), 'CURRENCY_MISMATCH', 422);
    expect((await shop.client.queryTrade(usd.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
  });
});

describe('the day limit holds across currencies', () => {
  let h: Harness;
  let shop: Terminal;
  let cny: OwnedBand;
  let hkd: OwnedBand;
  const dayTotals = () =>
    (h.checkout.store as SqliteStore).db
      .prepare('SELECT currency, total FROM day_totals WHERE account_id = ?')
      .all(cny.account.id);
  beforeAll(async () => {
    h = await startHarness();
    shop = await merchantWithTerminal(h);
    cny = await ownerWithBand(h);
    // A second band of the same owner carrying an HKD card.
    const second = await enrollBand(h, cny);
    const card = await addCard(cny, second.band, second.deviceId, { issuerId: 'hsbc-hk' });
    await unlock(h, cny, second.band);
    hkd = { ...cny, band: second.band, deviceId: second.deviceId, cardRef: card.cardRef };
  });
  afterAll(() => h.close());

  it('after 480.00 CNY, HKD payments racing at once get at most the CNY 20.00 left; more needs the button', async () => {
    for (let i = 0; i < 3; i++) await payWithBand(shop, cny.band, (await newTrade(shop, 160_00)).outTradeNo);
    // Switching currency used to open a fresh HKD 500.00: now HKD 100.00 (≈ CNY 93) is over.
    const big = await newTrade(shop, 100_00, { currency: 'HKD' });
    await refusal(payWithBand(shop, hkd.band, big.outTradeNo), 'LIMIT_EXCEEDED');
    // Four HKD 20.00 (CNY 18.60 each at the configured rate) answered at once: one fits.
    const trades = await Promise.all([1, 2, 3, 4].map(() => newTrade(shop, 20_00, { currency: 'HKD' })));
    const answers = [];
    for (const t of trades) {
      const ch = await shop.client.payWithBand(t.outTradeNo, hkd.band.hello());
      answers.push({ id: ch.challengeId, answer: hkd.band.pay(hkd.band.open(ch.message)) });
    }
    const outcomes = await Promise.allSettled(answers.map((a) => shop.client.answer(a.id, a.answer)));
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeLessThanOrEqual(1);
    expect(dayTotals()).toEqual([{ currency: 'CNY', total: expect.any(Number) }]);
    expect((dayTotals()[0] as { total: number }).total).toBeLessThanOrEqual(500_00);
    // With the wearer's button press the limit does not apply.
    await payWithBand(shop, hkd.band, (await newTrade(shop, 100_00, { currency: 'HKD' })).outTradeNo, {
      confirmed: true,
    });
  });

  it('the per-payment limit is in CNY as well: USD 30.00 (≈ CNY 219) needs the button', async () => {
    const o = await ownerWithBand(h);
    const second = await enrollBand(h, o);
    await addCard(o, second.band, second.deviceId, { issuerId: 'citi' });
    await unlock(h, o, second.band);
    const t = await newTrade(shop, 30_00, { currency: 'USD' });
    await refusal(payWithBand(shop, second.band, t.outTradeNo), 'LIMIT_EXCEEDED');
    const t2 = await newTrade(shop, 25_00, { currency: 'USD' }); // ≈ CNY 182.50
    await payWithBand(shop, second.band, t2.outTradeNo);
  });
});
