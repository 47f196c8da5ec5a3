/** The owner's rewards: points per card (with the card's bank and last 4) and what each promotion did. */
import type { RewardsView } from '../api/views.ts';
import type { Ctx } from './context.ts';

export type { RewardsView };

export async function rewardsOf(ctx: Ctx, accountId: string): Promise<RewardsView> {
  const { rewards, bands } = ctx.store;
  const balances = await Promise.all(
    (await rewards.balances(accountId)).map(async (b) => {
      const card = await bands.card(b.cardRef);
      return {
        cardRef: b.cardRef,
        issuer: card ? card.issuer : b.issuerId,
        last4: card ? card.last4 : '',
        points: b.points,
      };
    }),
  );
  const uses = (await rewards.usesOf(accountId)).map((u) => ({
    tradeNo: u.tradeNo,
    label: u.label,
    listAmount: u.listAmount,
    discount: u.discount,
    charged: u.listAmount - u.discount,
    points: u.points,
    discountReversed: u.discountReversed,
    pointsReversed: u.pointsReversed,
    paidAt: u.createdAt,
  }));
  return { balances, uses };
}
