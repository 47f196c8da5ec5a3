/**
 * SQLite: promotion uses, points balances and ride counts. The reads are the RewardStore;
 * the writes run inside the ledger's payment savepoint and refund transaction
 * (ledger.ts), so a promotion is applied or reversed exactly with its payment or refund.
 */
import { PROMOTION_USE_COLUMNS } from '../sql/rows.ts';
import { reversedAfter } from '../sql/promotion-reversal.ts';
import { refusal } from '../sql/refusal.ts';
import type { PromotionCommit, PromotionUseRow, RewardBalanceRow, RewardStore } from '../store.ts';
import type { Db } from './open.ts';

export class SqliteRewards implements RewardStore {
  constructor(private readonly db: Db) {}

  async rides(cardRef: string, promotionId: string): Promise<number> {
    const r = this.db
      .prepare('SELECT rides FROM ride_counts WHERE card_ref = ? AND promotion_id = ?')
      .get(cardRef, promotionId) as { rides: number } | undefined;
    return r ? r.rides : 0;
  }

  async balances(accountId: string): Promise<RewardBalanceRow[]> {
    return this.db
      .prepare(
        'SELECT card_ref AS cardRef, issuer_id AS issuerId, points FROM rewards WHERE account_id = ? ORDER BY card_ref',
      )
      .all(accountId) as RewardBalanceRow[];
  }

  async use(tradeNo: string): Promise<PromotionUseRow | undefined> {
    return this.db.prepare(`SELECT ${PROMOTION_USE_COLUMNS} FROM promotion_uses WHERE trade_no = ?`).get(tradeNo) as
      | PromotionUseRow
      | undefined;
  }

  async usesOf(accountId: string): Promise<PromotionUseRow[]> {
    return this.db
      .prepare(
        `SELECT ${PROMOTION_USE_COLUMNS} FROM promotion_uses WHERE account_id = ? ORDER BY created_at DESC, trade_no`,
      )
      .all(accountId) as PromotionUseRow[];
  }
}

/** In the payment's savepoint: the ride step (refused OFFER_TAKEN when a free ride is gone), the use, the points. */
export function applyPromotion(db: Db, pc: PromotionCommit): void {
  const ride = pc.ride;
  if (ride?.free) {
    const r = db
      .prepare('UPDATE ride_counts SET rides = 0 WHERE card_ref = ? AND promotion_id = ? AND rides >= ?')
      .run(ride.cardRef, ride.promotionId, ride.after);
    if (r.changes !== 1) throw refusal('OFFER_TAKEN');
  } else if (ride) {
    db.prepare(`INSERT INTO ride_counts (card_ref, promotion_id, rides) VALUES (?, ?, 1)
      ON CONFLICT (card_ref, promotion_id) DO UPDATE SET rides = rides + 1`).run(ride.cardRef, ride.promotionId);
  }
  const u = pc.use;
  if (!u) return;
  db.prepare(`INSERT INTO promotion_uses (trade_no, payment_id, account_id, card_ref, issuer_id, promotion_id, points_promotion_id,
    label, list_amount, discount, points, discount_reversed, points_reversed, created_at)
    VALUES (@tradeNo, @paymentId, @accountId, @cardRef, @issuerId, @promotionId, @pointsPromotionId, @label, @listAmount,
    @discount, @points, 0, 0, @createdAt)`).run(u);
  if (u.points > 0)
    db.prepare(`INSERT INTO rewards (card_ref, account_id, issuer_id, points) VALUES (?, ?, ?, ?)
      ON CONFLICT (card_ref) DO UPDATE SET points = points + excluded.points`).run(
      u.cardRef,
      u.accountId,
      u.issuerId,
      u.points,
    );
}

/** In the refund's transaction, after the trade's refunded total moved to `refunded`. */
export function reversePromotion(db: Db, tradeNo: string, refunded: number): void {
  const u = db.prepare(`SELECT ${PROMOTION_USE_COLUMNS} FROM promotion_uses WHERE trade_no = ?`).get(tradeNo) as
    | PromotionUseRow
    | undefined;
  if (!u) return;
  const now = reversedAfter(u, refunded);
  db.prepare('UPDATE promotion_uses SET discount_reversed = ?, points_reversed = ? WHERE trade_no = ?').run(
    now.discount,
    now.points,
    tradeNo,
  );
  const points = now.points - u.pointsReversed;
  if (points > 0)
    db.prepare('UPDATE rewards SET points = MAX(0, points - ?) WHERE card_ref = ?').run(points, u.cardRef);
}
