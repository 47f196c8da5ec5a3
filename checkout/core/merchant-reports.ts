/**
 * A merchant's own sales, refunds and day totals (the /merchant page, its CSV export and
 * GET /v1/merchant/sales|refunds). Every read is bounded: a range of at most
 * MAX_RANGE_DAYS and pages of at most MAX_PAGE rows with a keyset cursor, so one request
 * costs the store the same however long the merchant's history is.
 */
import { Status } from '../../shared/status/codes.ts';
import type { DayTotalRow, MerchantRefundRow, PageQuery, SaleRow, TimeRange } from '../report-store.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import type { SaleView, MerchantRefundView, DayTotalView } from '../api/views.ts';

export type { SaleView, MerchantRefundView, DayTotalView };

const DAY_MS = 86_400_000;
export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 500;

export interface Page<T> {
  from: number;
  to: number;
  items: T[];
  nextCursor: string | null;
}

/** What a caller may ask: strings as they came in a query string, or undefined. */
export interface ReportQuery {
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MILLIS = /^\d{1,15}$/;
const CURSOR = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/;

export class MerchantReports {
  constructor(private readonly ctx: Ctx) {}

  private get offsetMs(): number {
    return this.ctx.config.dayOffsetMinutes * 60_000;
  }

  /** The range a query names; defaults to the last DEFAULT_RANGE_DAYS. A date `to` includes that whole day. */
  range(q: ReportQuery): TimeRange {
    const to = q.to === undefined || q.to === '' ? this.ctx.clock() + 1 : this.instant('to', q.to, 1);
    const from =
      q.from === undefined || q.from === '' ? to - DEFAULT_RANGE_DAYS * DAY_MS : this.instant('from', q.from, 0);
    if (from >= to) refuse(Status.MALFORMED, 'from must be before to');
    if (to - from > MAX_RANGE_DAYS * DAY_MS)
      refuse(Status.MALFORMED, `at most ${MAX_RANGE_DAYS} days at once; narrow from/to`);
    return { from, to };
  }

  /** The range as whole days (the page's form): the ones given, or the last DEFAULT_RANGE_DAYS up to today. */
  dayRange(q: ReportQuery): TimeRange & { fromText: string; toText: string } {
    const today = new Date(this.ctx.clock() + this.offsetMs).toISOString().slice(0, 10);
    const toText = q.to || today;
    if (!DATE.test(toText)) refuse(Status.MALFORMED, 'to: a date YYYY-MM-DD');
    const toMidnight = this.instant('to', toText, 0) + this.offsetMs;
    const fromText = q.from || new Date(toMidnight - (DEFAULT_RANGE_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
    if (!DATE.test(fromText)) refuse(Status.MALFORMED, 'from: a date YYYY-MM-DD');
    return { fromText, toText, ...this.range({ from: fromText, to: toText }) };
  }

  /** YYYY-MM-DD (a day in the checkout's zone; `daysAfter` 1 for the end of that day) or epoch milliseconds. */
  private instant(name: string, v: string, daysAfter: number): number {
    if (MILLIS.test(v)) return Number(v);
    const m = DATE.exec(v);
    if (!m) refuse(Status.MALFORMED, `${name}: a date YYYY-MM-DD or epoch milliseconds`);
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    // Date.UTC rolls 2026-02-31 over to March: refuse a day that does not exist.
    if (new Date(ms).toISOString().slice(0, 10) !== v) refuse(Status.MALFORMED, `${name}: no such day ${v}`);
    return ms + daysAfter * DAY_MS - this.offsetMs;
  }

  private page(q: ReportQuery): PageQuery {
    const limit = q.limit === undefined || q.limit === '' ? DEFAULT_PAGE : Number(q.limit);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE || !/^\d+$/.test(q.limit ?? '1'))
      refuse(Status.MALFORMED, `limit: 1 to ${MAX_PAGE}`);
    const out: PageQuery = { ...this.range(q), limit };
    if (q.cursor !== undefined && q.cursor !== '') {
      const m = CURSOR.exec(q.cursor);
      if (!m) refuse(Status.MALFORMED, 'cursor: pass back the nextCursor of the previous page');
      out.after = { at: Number(m[1]), id: m[2] };
    }
    return out;
  }

  async sales(merchantId: string, q: ReportQuery): Promise<Page<SaleView>> {
    const p = this.page(q);
    // One more than asked tells whether there is a next page without a COUNT.
    const rows = await this.ctx.store.reports.sales(merchantId, { ...p, limit: p.limit + 1 });
    const items = rows.slice(0, p.limit).map(saleView);
    const last = items[items.length - 1];
    return {
      from: p.from,
      to: p.to,
      items,
      nextCursor: rows.length > p.limit ? `${last.paidAt}.${last.tradeNo}` : null,
    };
  }

  async refunds(merchantId: string, q: ReportQuery): Promise<Page<MerchantRefundView>> {
    const p = this.page(q);
    const rows = await this.ctx.store.reports.refunds(merchantId, { ...p, limit: p.limit + 1 });
    const items = rows.slice(0, p.limit).map(refundView);
    const last = items[items.length - 1];
    return {
      from: p.from,
      to: p.to,
      items,
      nextCursor: rows.length > p.limit ? `${last.createdAt}.${last.refundId}` : null,
    };
  }

  async dayTotals(merchantId: string, range: TimeRange): Promise<DayTotalView[]> {
    return (await this.ctx.store.reports.dayTotals(merchantId, range, this.offsetMs)).map((d) => dayView(d));
  }

  /** Every sale of the range, page by page, up to `max` (the CSV export); more is refused before anything is sent. */
  async allSales(merchantId: string, q: ReportQuery, max: number): Promise<SaleView[]> {
    const r = this.range(q);
    const out: SaleView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.sales(merchantId, {
        from: String(r.from),
        to: String(r.to),
        limit: String(MAX_PAGE),
        cursor,
      });
      out.push(...page.items);
      if (out.length > max) refuse(Status.MALFORMED, `more than ${max} sales in this range; export a shorter one`);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }
}

function saleView(s: SaleRow): SaleView {
  return {
    tradeNo: s.tradeNo,
    outTradeNo: s.outTradeNo,
    terminalId: s.terminalId,
    terminalName: s.terminalName,
    subject: s.subject,
    amount: s.amount,
    currency: s.currency,
    method: s.method,
    status: s.status,
    refundedAmount: s.refundedAmount,
    paidAt: s.paidAt,
  };
}

function refundView(r: MerchantRefundRow): MerchantRefundView {
  return {
    refundId: r.id,
    tradeNo: r.tradeNo,
    outTradeNo: r.outTradeNo,
    outRequestNo: r.outRequestNo,
    terminalId: r.terminalId,
    amount: r.amount,
    currency: r.currency,
    reason: r.reason,
    createdAt: r.createdAt,
  };
}

function dayView(d: DayTotalRow): DayTotalView {
  return {
    date: new Date(d.day * DAY_MS).toISOString().slice(0, 10),
    currency: d.currency,
    sales: d.sales,
    count: d.count,
    refunds: d.refunds,
  };
}
