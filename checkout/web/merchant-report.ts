/**
 * The merchant page's report: a range form, totals per day with a bar chart per currency,
 * the sales and refunds of the range, and the CSV link. The chart is inline SVG drawn
 * here on the server: the page CSP (http/server.ts) allows no script.
 */
import type { DayTotalView, MerchantRefundView, SaleView } from '../core/merchant-reports.ts';
import { formatAmount } from '../core/views.ts';
import { type Html, html, when } from './html.ts';

const DAY_MS = 86_400_000;

export interface MerchantReport {
  /** The range as typed into the form (YYYY-MM-DD), and as resolved [from, to). */
  fromText: string;
  toText: string;
  from: number;
  to: number;
  days: DayTotalView[];
  sales: SaleView[];
  moreSales: boolean;
  refunds: MerchantRefundView[];
  moreRefunds: boolean;
}

export function reportSection(r: MerchantReport): Html {
  const csv = `/merchant/sales.csv?${new URLSearchParams({ from: r.fromText, to: r.toText })}`;
  return html`
    <h2 id="report">Sales and refunds</h2>
    <form method="get" action="/merchant" class="range">
      <label>From <input name="from" type="date" value="${r.fromText}"></label>
      <label>To <input name="to" type="date" value="${r.toText}"></label>
      <button type="submit">Show</button> <a id="sales-csv" href="${csv}" download>Download sales (CSV)</a>
    </form>
    <h3>Totals per day</h3>
    ${
      r.days.length === 0
        ? html`<p>No sales or refunds in this range.</p>`
        : html`${currencies(r.days).map((c) => dayChart(r, c))}
      <table id="day-totals"><tr><th>Day</th><th>Sales</th><th>Count</th><th>Refunds</th></tr>
      ${r.days.map(
        (
          d,
        ) => html`<tr data-date="${d.date}" data-currency="${d.currency}"><td>${d.date}</td><td>${formatAmount(d.sales, d.currency)}</td>
        <td>${d.count}</td><td>${formatAmount(d.refunds, d.currency)}</td></tr>`,
      )}</table>`
    }
    <h3>Sales</h3>
    ${
      r.sales.length === 0
        ? html`<p>No sales in this range.</p>`
        : html`<table id="sales"><tr><th>Paid</th><th>Order</th><th>Subject</th><th>Amount</th><th>Refunded</th><th>Terminal</th><th>How</th></tr>
      ${r.sales.map(
        (
          s,
        ) => html`<tr data-trade-no="${s.tradeNo}"><td>${when(s.paidAt)}</td><td>${s.outTradeNo}</td><td>${s.subject}</td>
        <td>${formatAmount(s.amount, s.currency)}</td><td>${s.refundedAmount ? formatAmount(s.refundedAmount, s.currency) : ''}</td>
        <td>${s.terminalName}</td><td>${s.method}</td></tr>`,
      )}</table>
      ${r.moreSales ? html`<p>Only the newest ${r.sales.length} are shown; the CSV has them all.</p>` : ''}`
    }
    <h3>Refunds</h3>
    ${
      r.refunds.length === 0
        ? html`<p>No refunds in this range.</p>`
        : html`<table id="merchant-refunds"><tr><th>When</th><th>Order</th><th>Refund no.</th><th>Amount</th><th>Reason</th></tr>
      ${r.refunds.map(
        (
          x,
        ) => html`<tr data-refund-id="${x.refundId}"><td>${when(x.createdAt)}</td><td>${x.outTradeNo}</td><td>${x.outRequestNo}</td>
        <td>${formatAmount(x.amount, x.currency)}</td><td>${x.reason}</td></tr>`,
      )}</table>
      ${r.moreRefunds ? html`<p>Only the newest ${r.refunds.length} are shown.</p>` : ''}`
    }`;
}

function currencies(days: DayTotalView[]): string[] {
  return [...new Set(days.map((d) => d.currency))].sort();
}

const W = 600;
const H = 120;

/** One bar per day of the range (sales of that day in `currency`), scaled to the busiest day. */
function dayChart(r: MerchantReport, currency: string): Html {
  const firstDay = Date.parse(r.fromText);
  const count = Math.max(1, Math.round((Date.parse(r.toText) - firstDay) / DAY_MS) + 1);
  const byDate = new Map(r.days.filter((d) => d.currency === currency).map((d) => [d.date, d]));
  const max = Math.max(1, ...[...byDate.values()].map((d) => d.sales));
  const step = W / count;
  const bars: Html[] = [];
  for (let i = 0; i < count; i++) {
    const date = new Date(firstDay + i * DAY_MS).toISOString().slice(0, 10);
    const d = byDate.get(date);
    if (!d || d.sales === 0) continue;
    const h = Math.max(1, Math.round((d.sales / max) * (H - 4)));
    bars.push(html`<rect x="${(i * step).toFixed(1)}" y="${H - h}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h}" fill="#2f6fd6"
      data-date="${date}"><title>${date}: ${formatAmount(d.sales, currency)}</title></rect>`);
  }
  return html`<figure class="chart"><svg class="day-chart" data-currency="${currency}" role="img" aria-label="Sales per day in ${currency}"
      viewBox="0 0 ${W} ${H}" width="100%" height="${H}" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">
    <line x1="0" y1="${H - 0.5}" x2="${W}" y2="${H - 0.5}" stroke="#889"/>${bars}</svg>
    <figcaption>Sales per day, ${currency} (${r.fromText} to ${r.toText}; busiest ${formatAmount(max, currency)})</figcaption></figure>`;
}
