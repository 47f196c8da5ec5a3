/**
 * A payment's whole commit as ONE PostgreSQL statement (one round trip): a verdict that
 * reads and locks every row the payment depends on, then the writes, each guarded by the
 * verdict, so a refused payment writes nothing. The checks run in the order of the SQLite
 * store's (sqlite/ledger.ts paymentStatements), so both refuse with the same status.
 *
 * Why it is safe across processes: the statement runs SERIALIZABLE (connect.ts). Two
 * payments of one trade, one challenge or one card both want to write its row; the second
 * fails to serialize and is run again, and its verdict then sees the first's commit
 * (TRADE_CLOSED, REPLAYED, COUNTER_NOT_INCREASING). The band and the terminals are locked
 * FOR SHARE: a revoke or an unpairing either commits before the payment reads them (and
 * the payment is refused) or waits until the payment is committed, never in between.
 * The day total is checked against the latest committed total, since a concurrent payment
 * that changed it makes this one fail to serialize and run again.
 *
 * No PL/pgSQL and no multi-statement transaction: data-modifying CTEs only, which
 * CockroachDB and YugabyteDB run too (docs/CHECKOUT.md "PostgreSQL").
 */
import type { LedgerRefusal } from '../sql/refusal.ts';
import type { PaymentCommit } from '../store.ts';
import { PROMOTION_LOCKS, PROMOTION_VERDICT, PROMOTION_WRITES, promotionParams } from './promotion-statement.ts';

/** The refusal the statement returns (sql/refusal.ts names), or NULL when the payment committed. */
export type PaymentRefusal = Extract<
  LedgerRefusal,
  | 'REPLAYED'
  | 'TERMINAL_UNPAIRED'
  | 'BAND_REVOKED'
  | 'CARD_BAND_REVOKED'
  | 'TRADE_CLOSED'
  | 'COUNTER_NOT_INCREASING'
  | 'LIMIT_EXCEEDED'
  | 'OFFER_TAKEN'
>;

export const PAYMENT_SQL = `WITH
ch AS (SELECT 1 FROM challenges WHERE id = $1 AND answered_at IS NULL FOR UPDATE),
tm AS (SELECT id FROM terminals WHERE id = ANY($2::text[]) AND unpaired_at IS NULL FOR SHARE),
bd AS (SELECT status FROM bands WHERE device_id = $3 FOR SHARE),
cb AS (SELECT b.status FROM cards c JOIN bands b ON b.device_id = c.device_id WHERE c.card_ref = $4 FOR SHARE OF b),
tr AS (SELECT 1 FROM trades WHERE trade_no = $5 AND status = 'WAIT_BUYER_PAY' AND amount = $6 FOR UPDATE),
cd AS (SELECT 1 FROM cards WHERE card_ref = $8 AND state = 'active' AND last_counter < $9 FOR UPDATE),
dt AS (SELECT total FROM day_totals WHERE account_id = $12 AND day = $13 AND currency = $14 FOR UPDATE),
${PROMOTION_LOCKS}
verdict AS (SELECT CASE
  WHEN $1::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ch) THEN 'REPLAYED'
  WHEN (SELECT COUNT(*) FROM tm) < (SELECT COUNT(DISTINCT x) FROM unnest($2::text[]) x) THEN 'TERMINAL_UNPAIRED'
  WHEN $3::text IS NOT NULL AND COALESCE((SELECT status FROM bd), '') <> 'active' THEN 'BAND_REVOKED'
  WHEN $3::text IS NULL AND $4::text IS NOT NULL AND COALESCE((SELECT status FROM cb), '') <> 'active' THEN 'CARD_BAND_REVOKED'
  WHEN NOT EXISTS (SELECT 1 FROM tr) THEN 'TRADE_CLOSED'
  WHEN $8::text IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cd) THEN 'COUNTER_NOT_INCREASING'
  WHEN $12::text IS NOT NULL AND NOT $17::boolean
    AND ($15::bigint > $16::bigint OR COALESCE((SELECT total FROM dt), 0) + $15::bigint > $16::bigint) THEN 'LIMIT_EXCEEDED'
  ${PROMOTION_VERDICT}
  END AS refusal),
ok AS (SELECT refusal IS NULL AS go FROM verdict),
w_ch AS (UPDATE challenges SET answered_at = $7, outcome = 0 WHERE id = $1 AND (SELECT go FROM ok) RETURNING 1),
w_tr AS (UPDATE trades SET status = 'TRADE_SUCCESS', paid_at = $7 WHERE trade_no = $5 AND (SELECT go FROM ok) RETURNING 1),
w_cd AS (UPDATE cards SET
    last_counter = CASE WHEN card_ref = $8 THEN $9::bigint ELSE last_counter END,
    balance = CASE WHEN card_ref = $10 THEN $11::bigint ELSE balance END
  WHERE (card_ref = $8 OR card_ref = $10) AND (SELECT go FROM ok) RETURNING 1),
w_dt AS (INSERT INTO day_totals (account_id, day, currency, total)
  SELECT $12, $13, $14, $15 WHERE $12::text IS NOT NULL AND (SELECT go FROM ok)
  ON CONFLICT (account_id, day, currency) DO UPDATE SET total = day_totals.total + excluded.total RETURNING 1),
w_pay AS (INSERT INTO payments (id, trade_no, account_id, device_id, card_ref, amount, currency, method, counter, challenge_id, day, confirmed, created_at)
  SELECT $18, $5, $19, $3, $4, $6, $20, $21, $22, $23, $24, $25, $7 WHERE (SELECT go FROM ok) RETURNING 1),
${PROMOTION_WRITES}
w_nt AS (INSERT INTO notifications (id, trade_no, url, body, attempts, next_at, delivered_at, last_error, created_at)
  SELECT $26, $5, $27, $28, $29, $30, NULL, NULL, $31 WHERE $26::text IS NOT NULL AND (SELECT go FROM ok) RETURNING 1)
SELECT refusal FROM verdict`;

/** The statement's parameters for one PaymentCommit, in $1…$42 order. */
export function paymentParams(c: PaymentCommit): unknown[] {
  const p = c.payment;
  const d = c.dayLimit;
  const n = c.notification;
  return [
    c.challengeId ?? null, // $1
    c.terminalIds ?? [], // $2
    p.deviceId, // $3
    p.cardRef, // $4
    p.tradeNo, // $5
    p.amount, // $6
    p.createdAt, // $7
    c.counter?.cardRef ?? null, // $8
    c.counter?.value ?? null, // $9
    c.balance?.cardRef ?? null, // $10
    c.balance?.value ?? null, // $11
    d ? p.accountId : null, // $12
    p.day, // $13
    d?.currency ?? null, // $14
    d?.amount ?? 0, // $15
    d?.perDay ?? 0, // $16
    d?.confirmed ?? false, // $17
    p.id, // $18
    p.accountId, // $19
    p.currency, // $20
    p.method, // $21
    p.counter, // $22
    p.challengeId, // $23
    p.day, // $24
    p.confirmed ? 1 : 0, // $25
    n?.id ?? null, // $26
    n?.url ?? null, // $27
    n?.body ?? null, // $28
    n?.attempts ?? 0, // $29
    n?.nextAt ?? 0, // $30
    n?.createdAt ?? 0, // $31
    ...promotionParams(c), // $32…$42
  ];
}
