/**
 * The store contract for promotions (checkout/reward-store.ts), run against SQLite and
 * PostgreSQL alike (sqlite.test.ts, postgres.test.ts): a challenge's terms, a merchant's
 * category, a promotion committed with its payment or not at all, refunds reversing it, and
 * two payments racing for one free ride across two stores on one database.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Status } from '../../shared/status/codes.ts';
import type { CheckoutStore, PaymentCommit, PromotionCommit } from '../../checkout/store.ts';
import type { StorePair } from './contract.ts';
import { bandPayment, card, challenge, expectOk, trade, uid, world } from './rows.ts';

type World = Awaited<ReturnType<typeof world>>;

/** A PromotionCommit for payment `c`: `discount` off and `points` earned on the world's card. */
function promo(w: World, c: PaymentCommit, discount: number, points: number): PromotionCommit {
  return {
    use: {
      tradeNo: c.payment.tradeNo,
      paymentId: c.payment.id,
      accountId: w.owner.id,
      cardRef: w.card.cardRef,
      issuerId: 'icbc',
      promotionId: discount > 0 ? 'icbc-dining' : null,
      pointsPromotionId: points > 0 ? 'icbc-points' : null,
      label: discount > 0 ? '10% off' : null,
      listAmount: c.payment.amount,
      discount,
      points,
      discountReversed: 0,
      pointsReversed: 0,
      createdAt: c.payment.createdAt,
    },
  };
}

async function newTrade(s: CheckoutStore, w: World, amount = 1_000) {
  const t = trade(w.merchant.id, w.till.id, { amount });
  expectOk(await s.ledger.createTrade(t, { maxOpen: 100, openSince: 0 }));
  return t;
}

const refund = (tradeNo: string, outRequestNo: string, amount: number) => ({
  refund: { id: uid('rfd'), tradeNo, outRequestNo, amount, reason: '', createdAt: 9_000 },
});

export function promotionContract(name: string, open: () => Promise<StorePair>): void {
  describe(`${name}: the store contract for promotions`, () => {
    let p: StorePair;
    beforeEach(async () => {
      p = await open();
    });
    afterEach(async () => {
      await p.close();
    });

    it("keeps a challenge's terms as written, in its answer context too; a merchant's category", async () => {
      const w = await world(p.a);
      const terms = JSON.stringify([{ cardRef: w.card.cardRef, amount: 900 }]);
      const ch = challenge(w.band.deviceId, { tradeNo: w.trade.tradeNo, cardRef: w.card.cardRef, terms });
      expectOk(await p.a.challenges.create(ch, 100));
      expect((await p.b.challenges.byId(ch.id))?.terms).toBe(terms);
      expect((await p.b.challenges.withContext(ch.id))?.challenge.terms).toBe(terms);
      expect(await p.b.merchants.category(w.merchant.id)).toBeNull();
      await p.a.merchants.setCategory(w.merchant.id, 'dining');
      await p.a.merchants.setCategory(w.owner.id, 'dining'); // not a merchant: no category
      expect(await p.b.merchants.category(w.merchant.id)).toBe('dining');
      expect(await p.b.merchants.category(w.owner.id)).toBeNull();
    });

    it('a promotion commits with its payment, and a refused payment leaves no use and no points', async () => {
      const w = await world(p.a);
      const c = await bandPayment(p.a, w, { counter: 5 });
      c.promotion = promo(w, c, 100, 9);
      expectOk(await p.b.ledger.commitPayment(c));
      expect(await p.a.rewards.use(w.trade.tradeNo)).toEqual(c.promotion.use);
      expect(await p.a.rewards.balances(w.owner.id)).toEqual([
        { cardRef: w.card.cardRef, issuerId: 'icbc', points: 9 },
      ]);
      const t2 = await newTrade(p.a, w);
      const stale = await bandPayment(p.a, w, { trade: t2, counter: 5 }); // the counter is not above 5
      stale.promotion = promo(w, stale, 100, 9);
      expect(await p.b.ledger.commitPayment(stale)).toMatchObject({ ok: false, status: Status.COUNTER_NOT_INCREASING });
      expect(await p.a.rewards.use(t2.tradeNo)).toBeUndefined();
      expect((await p.a.rewards.balances(w.owner.id))[0].points).toBe(9);
      expect(await p.a.rewards.usesOf(w.owner.id)).toHaveLength(1);
    });

    it('refunds reverse discount and points in proportion, exactly in full, never below 0, once per refund number', async () => {
      const w = await world(p.a);
      const t = await newTrade(p.a, w, 3_333);
      const c = await bandPayment(p.a, w, { trade: t, counter: 1 });
      c.promotion = promo(w, c, 333, 30);
      expectOk(await p.a.ledger.commitPayment(c));
      const steps = [1_111, 1, 999, 1_222]; // 3,333 in all
      let refunded = 0;
      for (const [i, amount] of steps.entries()) {
        expectOk(await (i % 2 ? p.a : p.b).ledger.commitRefund(refund(t.tradeNo, `r${i}`, amount)));
        expectOk(await p.a.ledger.commitRefund(refund(t.tradeNo, `r${i}`, amount))); // the same number again: no second reversal
        refunded += amount;
        const use = await p.a.rewards.use(t.tradeNo);
        expect(use).toMatchObject({
          discountReversed: Math.floor((333 * refunded) / 3_333),
          pointsReversed: Math.floor((30 * refunded) / 3_333),
        });
        const [balance] = await p.a.rewards.balances(w.owner.id);
        expect(balance.points).toBe(30 - (use?.pointsReversed ?? 0));
        expect(balance.points).toBeGreaterThanOrEqual(0);
      }
      expect(await p.a.rewards.use(t.tradeNo)).toMatchObject({ discountReversed: 333, pointsReversed: 30 });
      expect((await p.a.rewards.balances(w.owner.id))[0].points).toBe(0);
    });

    it('rides count per transit card; two payments racing for the free ride: exactly one gets it', async () => {
      const w = await world(p.a);
      const transit = card(w.band.deviceId, {
        kind: 'transit',
        issuerId: 'shanghai',
        isDefault: false,
        city: 'Shanghai',
      });
      expectOk(await p.a.bands.addCard(transit, 8));
      const ride = (free: boolean) => ({ cardRef: transit.cardRef, promotionId: 'sh-free', after: 2, free });
      const fare = async (counter: number, free: boolean) => {
        const c = await bandPayment(p.a, { ...w, card: transit }, { trade: await newTrade(p.a, w, 300), counter });
        c.dayLimit = undefined;
        c.promotion = { ride: ride(free) };
        return c;
      };
      expect(await p.a.ledger.commitPayment(await fare(1, true))).toMatchObject({ ok: false, status: Status.CONFLICT });
      for (const counter of [2, 3]) expectOk(await p.b.ledger.commitPayment(await fare(counter, false)));
      expect(await p.a.rewards.rides(transit.cardRef, 'sh-free')).toBe(2);
      expect(await p.a.rewards.rides(w.card.cardRef, 'sh-free')).toBe(0); // per card
      for (let round = 0; round < 3; round++) {
        const racers = [await fare(10 + 2 * round, true), await fare(11 + 2 * round, true)];
        racers.forEach((c) => {
          c.counter = undefined; // the counter is another race; this one is the ride count's
        });
        const results = await Promise.all([p.a.ledger.commitPayment(racers[0]), p.b.ledger.commitPayment(racers[1])]);
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.find((r) => !r.ok)).toMatchObject({ status: Status.CONFLICT });
        expect(await p.a.rewards.rides(transit.cardRef, 'sh-free')).toBe(0);
        for (const counter of [0, 1])
          expectOk(await p.b.ledger.commitPayment({ ...(await fare(counter, false)), counter: undefined }));
      }
    });
  });
}
