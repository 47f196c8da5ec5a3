/**
 * A merchant's sales and refunds as CSV (GET /merchant/sales.csv, `wristpay bridge sales|refunds
 * --csv`), for spreadsheets: RFC 4180 (every field quoted, quotes doubled, CRLF line ends), and no cell a spreadsheet would run as a formula. A trade's subject comes from the till, so a
 * subject such as `=HYPERLINK("http://evil","click")` must stay text: per OWASP "CSV
 * Injection", a cell starting with = + - @ tab or carriage return gets a leading apostrophe.
 */
import type { MerchantRefundView, SaleView } from './core/merchant-reports.ts';
import { decimalAmount } from './core/views.ts';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvTable(header: string[], rows: string[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function salesCsv(sales: SaleView[]): string {
  return csvTable(
    [
      'paid_at',
      'trade_no',
      'order',
      'terminal_id',
      'terminal_name',
      'subject',
      'amount',
      'currency',
      'method',
      'status',
      'refunded',
    ],
    sales.map((s) => [
      new Date(s.paidAt).toISOString(),
      s.tradeNo,
      s.outTradeNo,
      s.terminalId,
      s.terminalName,
      s.subject,
      decimalAmount(s.amount, s.currency),
      s.currency,
      s.method,
      s.status,
      decimalAmount(s.refundedAmount, s.currency),
    ]),
  );
}

export function refundsCsv(refunds: MerchantRefundView[]): string {
  return csvTable(
    ['created_at', 'refund_id', 'trade_no', 'order', 'refund_no', 'terminal_id', 'amount', 'currency', 'reason'],
    refunds.map((r) => [
      new Date(r.createdAt).toISOString(),
      r.refundId,
      r.tradeNo,
      r.outTradeNo,
      r.outRequestNo,
      r.terminalId,
      decimalAmount(r.amount, r.currency),
      r.currency,
      r.reason,
    ]),
  );
}
