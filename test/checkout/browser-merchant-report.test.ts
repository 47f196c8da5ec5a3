/**
 * In Chromium (no JavaScript allowed on the pages): the merchant sees its sales, refunds and
 * terminals on /merchant, totals per day with a server-drawn SVG chart, narrows the range
 * with the form, and the CSV link downloads the same sales with a formula subject kept as
 * text. The page's CSP stays `default-src 'none'` (issue 14, item 6).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
import { launchChromium } from '../support/browser.ts';
import { needs, requirements } from '../support/requirements.ts';

const DAY = 86_400_000;
const FORMULA = '=HYPERLINK("http://evil.example","refund")';

async function paid(shop: Terminal, owner: OwnedBand, amount: number, subject: string): Promise<string> {
  const t = await newTrade(shop, amount, { subject });
  await shop.client.payWithPassword(t.outTradeNo, owner.username, PAY_PASSWORD);
  return t.outTradeNo;
}

needs(requirements.chromium).describe('/merchant sales and refunds in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let shop: Terminal;
  const shots = mkdtempSync(join(tmpdir(), 'wristpay-shots-'));

  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    browser = await launchChromium();
    shop = await merchantWithTerminal(h, 'Noodle Bar');
    const owner = await ownerWithBand(h);
    h.clock.advance(-2 * DAY);
    await paid(shop, owner, 12_00, 'noodles');
    await paid(shop, owner, 8_00, '<b>tea</b>');
    h.clock.advance(2 * DAY);
    const order = await paid(shop, owner, 30_00, FORMULA);
    await shop.client.refund(order, { outRequestNo: 'rf-9', amount: 5_00, reason: 'cold' });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('shows sales, refunds, day totals with a chart, and terminals; the range form narrows them; the CSV link downloads them', async () => {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${h.server.url}/login`);
    await page.fill('input[name=username]', (await shop.merchant.me()).username);
    await page.fill('input[name=password]', PASSWORD);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/merchant')),
      page.click('button[type=submit]'),
    ]);
    expect(response.headers()['content-security-policy']).toContain("default-src 'none'");

    expect(await page.locator(`tr[data-terminal-id="${shop.terminalId}"]`).count()).toBe(1);
    expect(await page.locator('#sales tr[data-trade-no]').count()).toBe(3);
    // Subjects are text, never markup.
    expect(await page.locator('#sales').textContent()).toContain('<b>tea</b>');
    expect(await page.locator('#sales b').count()).toBe(0);
    expect(await page.locator('#merchant-refunds').textContent()).toContain('5.00 CNY');
    const days = page.locator('#day-totals tr[data-date]');
    expect(await days.count()).toBe(2);
    expect(await days.nth(0).textContent()).toContain('20.00 CNY');
    expect(await days.nth(1).textContent()).toContain('30.00 CNY');
    // One bar per day with sales, the busiest one full height.
    const bars = page.locator('svg.day-chart[data-currency="CNY"] rect');
    expect(await bars.count()).toBe(2);
    const heights = await bars.evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().height));
    expect(heights[1]).toBeGreaterThan(heights[0]);
    const chart = await page.locator('svg.day-chart').boundingBox();
    expect(chart?.width).toBeGreaterThan(200);
    await page.screenshot({ path: join(shots, 'merchant-report.png'), fullPage: true });

    // The CSV link of the range shown.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#sales-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^sales-.*\.csv$/);
    const csv = await (
      await page.request.get(`${h.server.url}${await page.locator('#sales-csv').getAttribute('href')}`)
    ).text();
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(4);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""refund"")"`);

    // Narrow to the first day: only its two sales, no refunds.
    const first = (await days.nth(0).getAttribute('data-date')) as string;
    await page.fill('input[name=from]', first);
    await page.fill('input[name=to]', first);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/from=/);
    expect(await page.locator('#sales tr[data-trade-no]').count()).toBe(2);
    expect(await page.locator('#merchant-refunds').count()).toBe(0);
    expect(await page.locator('#sales-csv').getAttribute('href')).toBe(`/merchant/sales.csv?from=${first}&to=${first}`);
    expect(violations).toEqual([]);
    await context.close();
  });
});
