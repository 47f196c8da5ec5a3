/**
 * The merchant's sales and refunds, from a merchant session: page after page of the
 * checkout's bounded lists (at most 500 rows a request) until `max` rows or the range's end.
 */
import type { Api, CheckoutClient } from '../../checkout/api/client.ts';
import { type Outcome, attempt } from './outcome.ts';

/** Rows one request asks for: the checkout's own most (core/merchant-reports.ts MAX_PAGE). */
const PAGE = 500;

export interface ReportRange {
  from?: string;
  to?: string;
}
export interface Listed<T> {
  from: number;
  to: number;
  items: T[];
  more: boolean;
}

async function collect<T>(
  max: number,
  page: (
    limit: number,
    cursor?: string,
  ) => Promise<{ from: number; to: number; items: T[]; nextCursor: string | null }>,
): Promise<Listed<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const p = await page(Math.min(PAGE, max - items.length), cursor);
    items.push(...p.items);
    if (p.nextCursor === null || items.length >= max)
      return { from: p.from, to: p.to, items, more: p.nextCursor !== null };
    cursor = p.nextCursor;
  }
}

export function listSales(
  merchant: CheckoutClient,
  range: ReportRange,
  max: number,
): Promise<Outcome<Listed<Api.SaleView>>> {
  return attempt('checkout', () =>
    collect(max, async (limit, cursor) => {
      const r = await merchant.sales({ ...range, limit, cursor });
      return { ...r, items: r.sales };
    }),
  );
}

export function listRefunds(
  merchant: CheckoutClient,
  range: ReportRange,
  max: number,
): Promise<Outcome<Listed<Api.MerchantRefundView>>> {
  return attempt('checkout', () =>
    collect(max, async (limit, cursor) => {
      const r = await merchant.merchantRefunds({ ...range, limit, cursor });
      return { ...r, items: r.refunds };
    }),
  );
}
