/**
 * The merchant's reports over SQLite (report-store.ts). Plain portable SQL (integer
 * division for days, the offset CAST because better-sqlite3 binds a JS number as REAL, keyset pagination with OR instead of row values) so a PostgreSQL
 * store can run the same statements.
 */
import type { DayTotalRow, MerchantRefundRow, PageQuery, ReportStore, SaleRow, TimeRange } from '../report-store.ts';
import type { Db } from './open.ts';

const DAY_MS = 86_400_000;
const SALE_COLUMNS = `t.trade_no AS tradeNo, t.merchant_id AS merchantId, t.terminal_id AS terminalId, t.out_trade_no AS outTradeNo,
  t.amount, t.currency, t.subject, t.notify_url AS notifyUrl, t.status, t.refunded_amount AS refundedAmount, t.created_at AS createdAt,
  t.paid_at AS paidAt, t.closed_at AS closedAt`;

export class SqliteReports implements ReportStore {
  constructor(private readonly db: Db) {}

  async sales(merchantId: string, q: PageQuery): Promise<SaleRow[]> {
    const after = q.after ?? { at: q.to, id: '' };
    return this.db
      .prepare(`SELECT ${SALE_COLUMNS}, p.method AS method, COALESCE(tm.name, '') AS terminalName
        FROM trades t JOIN payments p ON p.trade_no = t.trade_no LEFT JOIN terminals tm ON tm.id = t.terminal_id
        WHERE t.merchant_id = ? AND t.paid_at >= ? AND t.paid_at < ? AND (t.paid_at < ? OR (t.paid_at = ? AND t.trade_no > ?))
        ORDER BY t.paid_at DESC, t.trade_no LIMIT ?`)
      .all(merchantId, q.from, q.to, after.at, after.at, after.id, q.limit) as SaleRow[];
  }

  async refunds(merchantId: string, q: PageQuery): Promise<MerchantRefundRow[]> {
    const after = q.after ?? { at: q.to, id: '' };
    return this.db
      .prepare(`SELECT r.id, r.trade_no AS tradeNo, t.out_trade_no AS outTradeNo, r.out_request_no AS outRequestNo,
          t.terminal_id AS terminalId, r.amount, t.currency, r.reason, r.created_at AS createdAt
        FROM refunds r JOIN trades t ON t.trade_no = r.trade_no
        WHERE t.merchant_id = ? AND r.created_at >= ? AND r.created_at < ? AND (r.created_at < ? OR (r.created_at = ? AND r.id > ?))
        ORDER BY r.created_at DESC, r.id LIMIT ?`)
      .all(merchantId, q.from, q.to, after.at, after.at, after.id, q.limit) as MerchantRefundRow[];
  }

  async dayTotals(merchantId: string, r: TimeRange, dayOffsetMs: number): Promise<DayTotalRow[]> {
    const sales = this.db
      .prepare(`SELECT (paid_at + CAST(? AS INTEGER)) / ${DAY_MS} AS day, currency, SUM(amount) AS sales, COUNT(*) AS count
        FROM trades WHERE merchant_id = ? AND paid_at >= ? AND paid_at < ? GROUP BY (paid_at + CAST(? AS INTEGER)) / ${DAY_MS}, currency`)
      .all(dayOffsetMs, merchantId, r.from, r.to, dayOffsetMs) as Array<{
      day: number;
      currency: string;
      sales: number;
      count: number;
    }>;
    const refunds = this.db
      .prepare(`SELECT (r.created_at + CAST(? AS INTEGER)) / ${DAY_MS} AS day, t.currency AS currency, SUM(r.amount) AS refunds
        FROM refunds r JOIN trades t ON t.trade_no = r.trade_no
        WHERE t.merchant_id = ? AND r.created_at >= ? AND r.created_at < ? GROUP BY (r.created_at + CAST(? AS INTEGER)) / ${DAY_MS}, t.currency`)
      .all(dayOffsetMs, merchantId, r.from, r.to, dayOffsetMs) as Array<{
      day: number;
      currency: string;
      refunds: number;
    }>;
    const byKey = new Map<string, DayTotalRow>();
    const at = (day: number, currency: string): DayTotalRow => {
      const key = `${day} ${currency}`;
      const found = byKey.get(key);
      if (found) return found;
      const row: DayTotalRow = { day, currency, sales: 0, count: 0, refunds: 0 };
      byKey.set(key, row);
      return row;
    };
    for (const s of sales) Object.assign(at(s.day, s.currency), { sales: s.sales, count: s.count });
    for (const x of refunds) at(x.day, x.currency).refunds = x.refunds;
    return [...byKey.values()].sort((a, b) => a.day - b.day || a.currency.localeCompare(b.currency));
  }
}
