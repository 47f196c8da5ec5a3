/**
 * Promotions at the till (docs/PROTOCOL.md §3 "Offers", docs/CHECKOUT.md "Promotions"). The
 * checkout cannot know which of the band's cards will pay until the band answers, so when it
 * issues a payment challenge it prices every card that could pay (promotion-pricing.ts),
 * stores those terms with the challenge, and sends the band an offer for each card whose
 * amount a promotion changes. On the answer, the terms of the card the token names decide
 * what the token must have signed and what the payment records: the promotions file may
 * have changed since, the challenge's promise has not.
 */
import type { Offer } from '../../shared/messages/offers.ts';
import type { CardRow, ChallengeRow, PaymentRow, PromotionCommit, TradeRow } from '../store.ts';
import type { Ctx } from './context.ts';
import { type CardTerms, termsFor, termsMatter } from './promotion-pricing.ts';

/** Terms for each card that may pay `trade`, and the offers among them; none when no promotion touches any. */
export async function priceCards(
  ctx: Ctx,
  cards: CardRow[],
  trade: TradeRow,
): Promise<{ terms: CardTerms[]; offers: Offer[] | undefined }> {
  // Only the promotions of these cards' issuers; no store read at all when there are none
  // (the payment path's usual case), and the category only when a category discount could apply.
  const issuers = new Set(cards.map((c) => c.issuerId));
  const mine = ctx.promotions.filter((p) => issuers.has(p.issuer));
  if (mine.length === 0) return { terms: [], offers: undefined };
  const category = mine.some((p) => p.kind === 'percent-off')
    ? await ctx.store.merchants.category(trade.merchantId)
    : null;
  const now = ctx.clock();
  const terms: CardTerms[] = [];
  for (const card of cards) {
    const rides = new Map<string, number>();
    for (const p of mine)
      if (p.kind === 'free-ride' && p.issuer === card.issuerId)
        rides.set(p.id, await ctx.store.rewards.rides(card.cardRef, p.id));
    const t = termsFor(mine, {
      card,
      listAmount: trade.amount,
      category,
      now,
      rides: (id) => rides.get(id) ?? 0,
    });
    if (termsMatter(t)) terms.push(t);
  }
  const offers: Offer[] = terms
    .filter((t) => t.amount !== trade.amount)
    .map((t) => ({ cardRef: t.cardRef, amount: t.amount }));
  return { terms, offers: offers.length > 0 ? offers : undefined };
}

/** The terms the challenge promised for the card that paid: none means the list amount and nothing more. */
export function termsOf(ch: ChallengeRow, cardRef: string): CardTerms | undefined {
  if (!ch.terms) return undefined;
  return (JSON.parse(ch.terms) as CardTerms[]).find((t) => t.cardRef === cardRef);
}

/** What the payment's commit applies for these terms (PaymentCommit.promotion). */
export function promotionCommit(
  t: CardTerms | undefined,
  payment: Pick<PaymentRow, 'id' | 'tradeNo' | 'accountId' | 'amount' | 'createdAt'>,
): PromotionCommit | undefined {
  if (!t) return undefined;
  const ride = t.ride ? { cardRef: t.cardRef, ...t.ride } : undefined;
  if (t.discount === 0 && t.points === 0) return { ride };
  return {
    ride,
    use: {
      tradeNo: payment.tradeNo,
      paymentId: payment.id,
      accountId: payment.accountId,
      cardRef: t.cardRef,
      issuerId: t.issuerId,
      promotionId: t.promotionId,
      pointsPromotionId: t.pointsPromotionId,
      label: t.label,
      listAmount: payment.amount,
      discount: t.discount,
      points: t.points,
      discountReversed: 0,
      pointsReversed: 0,
      createdAt: payment.createdAt,
    },
  };
}
