/**
 * How a refund reverses a promotion (docs/CHECKOUT.md, "Promotions"), the same in both
 * stores: after refunds totalling `refunded` of a trade whose list amount is `list`, the
 * discount and the points reversed so far are floor(discount × refunded / list) and
 * floor(points × refunded / list). Reckoned on the running total, not per refund, so
 * rounding never drifts and a full refund reverses exactly all of both. A refund takes back
 * the difference from what was reversed before; a card's balance never goes below 0.
 */
import type { PromotionUseRow } from '../reward-store.ts';

export function reversedAfter(
  use: Pick<PromotionUseRow, 'listAmount' | 'discount' | 'points'>,
  refunded: number,
): { discount: number; points: number } {
  const share = Math.min(refunded, use.listAmount);
  return {
    discount: Math.floor((use.discount * share) / use.listAmount),
    points: Math.floor((use.points * share) / use.listAmount),
  };
}
