/** The merchant's reports over PostgreSQL (report-store.ts): the SQLite store's statements, numbered parameters. */
import type { DayTotalRow, MerchantRefundRow, PageQuery, ReportStore, SaleRow, TimeRange } from '../store.ts';
import type { PgDatabase } from './connect.ts';

const DAY_MS = 86_400_000;
const SALE_COLUMNS = `t.trade_no AS "tradeNo", t.merchant_id AS "merchantId", t.terminal_id AS "terminalId", t.out_trade_no AS "outTradeNo",
  t.amount, t.currency, t.subject, t.notify_url AS "notifyUrl", t.status, t.refunded_amount AS "refundedAmount", t.created_at AS "createdAt",
  t.paid_at AS "paidAt", t.closed_at AS "closedAt"`;

export class PgReports implements ReportStore {
  constructor(private readonly db: PgDatabase) {}

  async sales(merchantId: string, q: PageQuery): Promise<SaleRow[]> {
    const after = q.after ?? { at: q.to, id: '' };
    const r = await this.db.query<SaleRow>(
      `SELECT ${SALE_COLUMNS}, p.method AS method, COALESCE(tm.name, '') AS "terminalName"
       FROM trades t JOIN payments p ON p.trade_no = t.trade_no LEFT JOIN terminals tm ON tm.id = t.terminal_id
       WHERE t.merchant_id = $1 AND t.paid_at >= $2 AND t.paid_at < $3 AND (t.paid_at < $4 OR (t.paid_at = $4 AND t.trade_no > $5))
       ORDER BY t.paid_at DESC, t.trade_no LIMIT $6`,
      [merchantId, q.from, q.to, after.at, after.id, q.limit],
    );
    return r.rows;
  }

  async refunds(merchantId: string, q: PageQuery): Promise<MerchantRefundRow[]> {
    const after = q.after ?? { at: q.to, id: '' };
    const r = await this.db.query<MerchantRefundRow>(
      `SELECT r.id, r.trade_no AS "tradeNo", t.out_trade_no AS "outTradeNo", r.out_request_no AS "outRequestNo",
          t.terminal_id AS "terminalId", r.amount, t.currency, r.reason, r.created_at AS "createdAt"
       FROM refunds r JOIN trades t ON t.trade_no = r.trade_no
       WHERE t.merchant_id = $1 AND r.created_at >= $2 AND r.created_at < $3 AND (r.created_at < $4 OR (r.created_at = $4 AND r.id > $5))
       ORDER BY r.created_at DESC, r.id LIMIT $6`,
      [merchantId, q.from, q.to, after.at, after.id, q.limit],
    );
    return r.rows;
  }

  async dayTotals(merchantId: string, range: TimeRange, dayOffsetMs: number): Promise<DayTotalRow[]> {
    // floor division: BIGINT / BIGINT truncates toward zero in PostgreSQL, as SQLite's integer division does.
    const r = await this.db.query<DayTotalRow>(
      `WITH s AS (
         SELECT (paid_at + $2::bigint) / ${DAY_MS} AS day, currency, SUM(amount) AS sales, COUNT(*) AS count
         FROM trades WHERE merchant_id = $1 AND paid_at >= $3 AND paid_at < $4 GROUP BY 1, 2),
       f AS (
         SELECT (r.created_at + $2::bigint) / ${DAY_MS} AS day, t.currency AS currency, SUM(r.amount) AS refunds
         FROM refunds r JOIN trades t ON t.trade_no = r.trade_no
         WHERE t.merchant_id = $1 AND r.created_at >= $3 AND r.created_at < $4 GROUP BY 1, 2)
       SELECT COALESCE(s.day, f.day) AS day, COALESCE(s.currency, f.currency) AS currency,
         COALESCE(s.sales, 0) AS sales, COALESCE(s.count, 0) AS count, COALESCE(f.refunds, 0) AS refunds
       FROM s FULL OUTER JOIN f ON f.day = s.day AND f.currency = s.currency
       ORDER BY 1, 2`,
      [merchantId, dayOffsetMs, range.from, range.to],
    );
    return r.rows;
  }
}
