/**
 * In Chromium (playwright-core, no JavaScript on the pages): a merchant renames and unpairs a
 * terminal on /merchant, through the required confirmation, and the till is refused from
 * then on; an owner who cannot log in turns the band off on /lost with the one-time code,
 * and a thief wearing it cannot pay an express fare afterwards.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WearState } from '../../shared/protocol/constants.ts';
import { BandDouble } from './helpers/band-double.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PASSWORD,
  addCard,
  merchantWithTerminal,
  newOwner,
  newTrade,
  payWithBand,
  unique,
} from './helpers/fixtures.ts';
import { type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { launchChromium } from '../support/browser.ts';
import { needs, requirements } from '../support/requirements.ts';

async function logIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
}

needs(requirements.chromium).describe('/merchant terminals and /lost in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  const shots = mkdtempSync(join(tmpdir(), 'wristpay-shots-'));

  beforeAll(async () => {
    h = await startHarness();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('the merchant renames a till, then unpairs it only after ticking the confirmation; the till is refused', async () => {
    const shop = await merchantWithTerminal(h, 'Noodle Bar');
    const me = await shop.merchant.me();
    const page = await browser.newPage();
    await logIn(page, h.server.url, me.username);
    await page.waitForURL(/\/merchant$/);
    const row = page.locator(`tr[data-terminal-id="${shop.terminalId}"]`);
    expect(await row.getAttribute('data-state')).toBe('active');

    await row.locator('input[name=name]').fill('Window till');
    await row.getByRole('button', { name: 'Rename' }).click();
    await page.waitForURL(/\/merchant$/);
    expect(await row.locator('td').first().textContent()).toBe('Window till');

    // Unticked: the browser does not send the form (the box is required) and nothing changes.
    await row.getByRole('button', { name: 'Unpair' }).click();
    await page.waitForTimeout(300);
    expect((await shop.merchant.terminals())[0].state).toBe('active');
    await shop.client.createTrade({ outTradeNo: unique('o'), amount: 1_00, currency: 'CNY', subject: 'tea' });

    await row.getByLabel('It can never take payments again').check();
    await page.screenshot({ path: join(shots, 'unpair-confirm.png'), fullPage: true });
    await row.getByRole('button', { name: 'Unpair' }).click();
    await page.waitForURL(/\/merchant$/);
    expect(await row.getAttribute('data-state')).toBe('unpaired');
    expect(await row.getByRole('button', { name: 'Unpair' }).count()).toBe(0);
    await page.screenshot({ path: join(shots, 'unpaired.png'), fullPage: true });
    await refusal(
      shop.client.createTrade({ outTradeNo: unique('o'), amount: 1_00, currency: 'CNY', subject: 'tea' }),
      'TERMINAL_UNPAIRED',
      401,
    );
    await page.close();
  });

  it("the unpair form needs the session's CSRF token and the confirmation, also when posted by hand", async () => {
    const shop = await merchantWithTerminal(h);
    const me = await shop.merchant.me();
    const page = await browser.newPage();
    await logIn(page, h.server.url, me.username);
    await page.waitForURL(/\/merchant$/);
    const row = page.locator(`tr[data-terminal-id="${shop.terminalId}"]`);
    await row
      .locator('form[action$="/unpair"] input[name=csrf]')
      .evaluate((input) => ((input as HTMLInputElement).value = 'forged'));
    await row.getByLabel('It can never take payments again').check();
    const [forged] = await Promise.all([
      page.waitForResponse(/\/unpair$/),
      row.getByRole('button', { name: 'Unpair' }).click(),
    ]);
    expect(forged.status()).toBe(403);
    // Without the box (a hand-made post with the right token): refused too.
    await page.goto(`${h.server.url}/merchant`);
    const csrf = await page
      .locator(`tr[data-terminal-id="${shop.terminalId}"] form[action$="/unpair"] input[name=csrf]`)
      .getAttribute('value');
    const unticked = await page.request.post(`${h.server.url}/merchant/terminals/${shop.terminalId}/unpair`, {
      form: { csrf: csrf as string },
      headers: { origin: h.server.url },
      maxRedirects: 0,
    });
    expect(unticked.status()).toBe(400);
    expect((await shop.merchant.terminals())[0].state).toBe('active');
    await page.close();
  });

  it('/lost: username + turn-off code turns the band off without the password; the thief cannot pay a fare', async () => {
    const shop = await merchantWithTerminal(h, 'Metro');
    const owner = await newOwner(h);
    const band = BandDouble.create(h.provider);
    const offer = await owner.client.startEnrollment();
    const enrolled = await owner.client.completeEnrollment(offer.enrollId, band.enroll(offer.enroll), 'wrist');
    await addCard(owner, band, enrolled.deviceId, { cityId: 'shanghai', balance: 20_00 });
    band.wearState = WearState.WORN_LOCKED;
    await payWithBand(shop, band, (await newTrade(shop, 3_00, { subject: 'Metro' })).outTradeNo, { express: true });

    const page = await browser.newPage();
    await page.goto(`${h.server.url}/lost`);
    await page.fill('#turn-off input[name=username]', owner.username);
    await page.fill('#turn-off input[name=code]', 'ABCD-EFGH-JKMN');
    await page.click('#turn-off button[type=submit]');
    expect(await page.locator('.error').textContent()).toContain('wrong username or turn-off code');
    await page.fill('#turn-off input[name=code]', enrolled.turnOffCode.toLowerCase());
    await page.click('#turn-off button[type=submit]');
    await page.locator('#turned-off').waitFor();
    expect(await page.locator(`li[data-device-id="${enrolled.deviceId}"]`).getAttribute('data-status')).toBe('revoked');
    await page.screenshot({ path: join(shots, 'turned-off.png'), fullPage: true });

    // The thief, wearing it: no express fare.
    const fare = await newTrade(shop, 3_00, { subject: 'Metro' });
    await refusal(shop.client.payWithBand(fare.outTradeNo, band.hello(), true), 'REVOKED', 403);
    expect((await owner.client.ledger()).payments).toHaveLength(1);
    // The code was spent; the logged-in owner gets a new one from the dashboard, shown once.
    await logIn(page, h.server.url, owner.username);
    await page.getByRole('button', { name: 'New turn-off code' }).click();
    const fresh = (await page.locator('#turn-off-code').textContent())?.trim() ?? '';
    expect(fresh).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(fresh).not.toBe(enrolled.turnOffCode);
    await page.close();
  });
});
