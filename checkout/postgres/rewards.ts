/**
 * PostgreSQL: promotion uses, points balances and ride counts. The reads are the
 * RewardStore; a payment's promotion is part of its one statement (promotion-statement.ts),
 * a refund's reversal runs in the refund's transaction (reversePromotion, from ledger.ts).
 */
import { PROMOTION_USE_COLUMNS } from '../sql/rows.ts';
import { reversedAfter } from '../sql/promotion-reversal.ts';
import type { PromotionUseRow, RewardBalanceRow, RewardStore } from '../store.ts';
import { type PgDatabase, type Queryable, quoteAliases } from './connect.ts';

const USE = quoteAliases(PROMOTION_USE_COLUMNS);

export class PgRewards implements RewardStore {
  constructor(private readonly db: PgDatabase) {}

  async rides(cardRef: string, promotionId: string): Promise<number> {
    const r = await this.db.query<{ rides: number }>(
      'SELECT rides FROM ride_counts WHERE card_ref = $1 AND promotion_id = $2',
      [cardRef, promotionId],
    );
    return r.rows[0] ? r.rows[0].rides : 0;
  }

  async balances(accountId: string): Promise<RewardBalanceRow[]> {
    const r = await this.db.query<RewardBalanceRow>(
      'SELECT card_ref AS "cardRef", issuer_id AS "issuerId", points FROM rewards WHERE account_id = $1 ORDER BY card_ref',
      [accountId],
    );
    return r.rows;
  }

  async use(tradeNo: string): Promise<PromotionUseRow | undefined> {
    return (await this.db.query<PromotionUseRow>(`SELECT ${USE} FROM promotion_uses WHERE trade_no = $1`, [tradeNo]))
      .rows[0];
  }

  async usesOf(accountId: string): Promise<PromotionUseRow[]> {
    const r = await this.db.query<PromotionUseRow>(
      `SELECT ${USE} FROM promotion_uses WHERE account_id = $1 ORDER BY created_at DESC, trade_no`,
      [accountId],
    );
    return r.rows;
  }
}

/** In the refund's transaction, after the trade's refunded total moved to `refunded`. */
export async function reversePromotion(q: Queryable, tradeNo: string, refunded: number): Promise<void> {
  const u = (
    await q.query<PromotionUseRow>(`SELECT ${USE} FROM promotion_uses WHERE trade_no = $1 FOR UPDATE`, [tradeNo])
  ).rows[0];
  if (!u) return;
  const now = reversedAfter(u, refunded);
  await q.query('UPDATE promotion_uses SET discount_reversed = $2, points_reversed = $3 WHERE trade_no = $1', [
    tradeNo,
    now.discount,
    now.points,
  ]);
  const points = now.points - u.pointsReversed;
  if (points > 0)
    await q.query('UPDATE rewards SET points = GREATEST(0, points - $2) WHERE card_ref = $1', [u.cardRef, points]);
}
