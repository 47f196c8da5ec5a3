/**
 * A payment's promotion, as parts of its one statement (payment-statement.ts): the ride
 * count it depends on is read and locked with the payment's other rows, the verdict refuses
 * OFFER_TAKEN when the free ride the challenge promised is no longer there (another payment
 * of the card took it: the second to commit fails to serialize, runs again and sees the count
 * at 0), and the writes (ride count, the use, the card's points) go with the payment's.
 * The same steps as the SQLite store's (sqlite/rewards.ts applyPromotion).
 */
import type { PaymentCommit } from '../store.ts';

export const PROMOTION_LOCKS = `rc AS (SELECT rides FROM ride_counts WHERE card_ref = $32 AND promotion_id = $33 FOR UPDATE),`;

export const PROMOTION_VERDICT = `WHEN $35::boolean AND COALESCE((SELECT rides FROM rc), 0) < $34::bigint THEN 'OFFER_TAKEN'`;

export const PROMOTION_WRITES = `w_rc AS (INSERT INTO ride_counts (card_ref, promotion_id, rides)
  SELECT $32, $33, CASE WHEN $35::boolean THEN 0 ELSE 1 END WHERE $32::text IS NOT NULL AND (SELECT go FROM ok)
  ON CONFLICT (card_ref, promotion_id) DO UPDATE SET rides = CASE WHEN $35::boolean THEN 0 ELSE ride_counts.rides + 1 END RETURNING 1),
w_pu AS (INSERT INTO promotion_uses (trade_no, payment_id, account_id, card_ref, issuer_id, promotion_id, points_promotion_id,
    label, list_amount, discount, points, discount_reversed, points_reversed, created_at)
  SELECT $5, $18, $19, $36, $37, $38, $39, $40, $6, $41::bigint, $42::bigint, 0, 0, $7
  WHERE $36::text IS NOT NULL AND (SELECT go FROM ok) RETURNING 1),
w_rw AS (INSERT INTO rewards (card_ref, account_id, issuer_id, points)
  SELECT $36, $19, $37, $42::bigint WHERE $36::text IS NOT NULL AND $42::bigint > 0 AND (SELECT go FROM ok)
  ON CONFLICT (card_ref) DO UPDATE SET points = rewards.points + excluded.points RETURNING 1),`;

/** $32…$42. */
export function promotionParams(c: PaymentCommit): unknown[] {
  const ride = c.promotion?.ride;
  const use = c.promotion?.use;
  return [
    ride?.cardRef ?? null, // $32
    ride?.promotionId ?? null, // $33
    ride?.after ?? 0, // $34
    ride?.free ?? false, // $35
    use?.cardRef ?? null, // $36
    use?.issuerId ?? null, // $37
    use?.promotionId ?? null, // $38
    use?.pointsPromotionId ?? null, // $39
    use?.label ?? null, // $40
    use?.discount ?? 0, // $41
    use?.points ?? 0, // $42
  ];
}
