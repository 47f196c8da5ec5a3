/** The owner's rewards: points per card (with the card's bank and last 4) and what each promotion did. */
import type { RewardsView } from '../api/views.ts';
import type { CardRow } from '../store.ts';
import type { Ctx } from './context.ts';

export type { RewardsView };

export async function rewardsOf(ctx: Ctx, accountId: string): Promise<RewardsView> {
  const { rewards, bands } = ctx.store;
  const cards = new Map<string, CardRow | undefined>();
  const cardOf = async (cardRef: string): Promise<CardRow | undefined> => {
    if (!cards.has(cardRef)) cards.set(cardRef, await bands.card(cardRef));
    return cards.get(cardRef);
  };
  const balances: RewardsView['balances'] = [];
  for (const b of await rewards.balances(accountId)) {
    const card = await cardOf(b.cardRef);
    balances.push({
      cardRef: b.cardRef,
      issuer: card?.issuer ?? b.issuerId,
      last4: card?.last4 ?? '',
      points: b.points,
    });
  }
  const uses: RewardsView['uses'] = [];
  for (const u of await rewards.usesOf(accountId)) {
    uses.push({
      tradeNo: u.tradeNo,
      currency: (await cardOf(u.cardRef))?.currency ?? '',
      label: u.label,
      listAmount: u.listAmount,
      discount: u.discount,
      charged: u.listAmount - u.discount,
      points: u.points,
      discountReversed: u.discountReversed,
      pointsReversed: u.pointsReversed,
      paidAt: u.createdAt,
    });
  }
  return { balances, uses };
}
