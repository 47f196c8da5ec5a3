/**
 * What one card would pay for one trade under the promotions in force (docs/CHECKOUT.md,
 * "Promotions", the rules):
 *
 * - A promotion applies only to cards of its issuer, and only from validFrom up to (not
 *   including) validUntil, by the checkout's clock when the challenge is issued.
 * - At most one discount promotion per payment: the one giving the wearer the largest
 *   discount (ties: the smallest id). Percent off rounds down to the minor unit
 *   (floor(list × percent / 100)), then its maxDiscount caps it; a fixed discount applies
 *   when the list amount is at least the threshold; a free ride takes the whole fare.
 *   A discount never exceeds the list amount.
 * - Points accrue on what is charged (list − discount): floor(charged / per) × points, from
 *   the one points promotion that gives the most (ties: the smallest id). Points stack with
 *   the discount.
 * - A transit card counts its rides for one free-ride promotion (the active one with the
 *   smallest id): a ride is free when the card has `after` rides counted since its last
 *   free one; the free ride sets the count back to 0, any other ride adds 1.
 *
 * Pure: the caller passes the clock, the merchant's category and the card's ride counts.
 */
import type { CardRow } from '../store.ts';
import type { Promotion } from './promotion-file.ts';

/** What the challenge promises for one card; stored with the challenge and applied on its answer. */
export interface CardTerms {
  cardRef: string;
  issuerId: string;
  /** What the card is charged and the band signs: list − discount. */
  amount: number;
  discount: number;
  promotionId: string | null;
  label: string | null;
  points: number;
  pointsPromotionId: string | null;
  /** A transit card's step of its free-ride count (absent without a free-ride promotion). */
  ride?: { promotionId: string; after: number; free: boolean };
}

export interface PricingInput {
  card: Pick<CardRow, 'cardRef' | 'issuerId' | 'kind'>;
  listAmount: number;
  category: string | null;
  now: number;
  /** Rides counted on this card for a free-ride promotion since its last free ride. */
  rides: (promotionId: string) => number;
}

export function inForce(p: Promotion, now: number): boolean {
  return p.validFrom <= now && now < p.validUntil;
}

export function termsFor(promotions: readonly Promotion[], input: PricingInput): CardTerms {
  const { card, listAmount: list } = input;
  const mine = promotions
    .filter((p) => p.issuer === card.issuerId && inForce(p, input.now))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const rideOn = card.kind === 'transit' ? mine.find((p) => p.kind === 'free-ride') : undefined;
  let best: { p: Promotion; discount: number } | null = null;
  for (const p of mine) {
    const d = Math.min(list, discountOf(p, input, p === rideOn));
    if (d > 0 && (best === null || d > best.discount)) best = { p, discount: d };
  }
  const discount = best ? best.discount : 0;
  const charged = list - discount;
  let points: { p: Promotion; n: number } | null = null;
  for (const p of mine) {
    if (p.kind !== 'points') continue;
    const n = Math.floor(charged / p.per) * p.points;
    if (n > 0 && (points === null || n > points.n)) points = { p, n };
  }
  const terms: CardTerms = {
    cardRef: card.cardRef,
    issuerId: card.issuerId,
    amount: charged,
    discount,
    promotionId: best ? best.p.id : null,
    label: best ? best.p.label : null,
    points: points ? points.n : 0,
    pointsPromotionId: points ? points.p.id : null,
  };
  if (rideOn && rideOn.kind === 'free-ride')
    terms.ride = { promotionId: rideOn.id, after: rideOn.after, free: best !== null && best.p === rideOn };
  return terms;
}

function discountOf(p: Promotion, input: PricingInput, countsRides: boolean): number {
  const list = input.listAmount;
  switch (p.kind) {
    case 'percent-off': {
      if (input.category !== p.category) return 0;
      const off = Math.floor((list * p.percent) / 100);
      return p.maxDiscount === null ? off : Math.min(off, p.maxDiscount);
    }
    case 'amount-off':
      return list >= p.threshold ? p.discount : 0;
    case 'free-ride':
      return countsRides && input.rides(p.id) >= p.after ? list : 0;
    case 'points':
      return 0;
  }
}

/** Whether the terms change anything for the ledger (a discount, points or a ride to count). */
export function termsMatter(t: CardTerms): boolean {
  return t.discount > 0 || t.points > 0 || t.ride !== undefined;
}
