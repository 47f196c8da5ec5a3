/**
 * The merchant's reports part of the checkout's store (store.ts CheckoutStore.reports):
 * read-only views of one merchant's ledger, always bounded by a time range and a row limit
 * so no request can make the store read a merchant's whole history at once.
 */
import type { TradeRow } from './rows.ts';

/** [from, to) in wall-clock ms. */
export interface TimeRange {
  from: number;
  to: number;
}
/** Newest first; `after` is the keyset of the last row of the previous page (paidAt or createdAt, then id). */
export interface PageQuery extends TimeRange {
  limit: number;
  after?: { at: number; id: string };
}

/** A paid trade (its payment's method with it); fully refunded ones are sales too (TRADE_CLOSED, paidAt set). */
export interface SaleRow extends TradeRow {
  paidAt: number;
  method: 'band' | 'password';
  terminalName: string;
}
export interface MerchantRefundRow {
  id: string;
  tradeNo: string;
  outTradeNo: string;
  outRequestNo: string;
  terminalId: string;
  amount: number;
  currency: string;
  reason: string;
  createdAt: number;
}
/** `day`: day number in the checkout's time zone (config.dayOffsetMinutes, as the day limits use). */
export interface DayTotalRow {
  day: number;
  currency: string;
  sales: number;
  count: number;
  refunds: number;
}

export interface ReportStore {
  /** The merchant's sales paid in the range, newest first, at most `limit`. */
  sales(merchantId: string, q: PageQuery): Promise<SaleRow[]>;
  /** Refunds of the merchant's trades made in the range, newest first, at most `limit`. */
  refunds(merchantId: string, q: PageQuery): Promise<MerchantRefundRow[]>;
  /** Sums of sales (by paidAt) and refunds (by their createdAt) per day and currency in the range, oldest day first. */
  dayTotals(merchantId: string, r: TimeRange, dayOffsetMs: number): Promise<DayTotalRow[]>;
}
