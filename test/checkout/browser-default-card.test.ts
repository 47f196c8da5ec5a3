/**
 * The owner's dashboard sets the default card of each kind (issue 15, item 1) in a real browser
 * (Chromium via playwright-core): the defaults are marked, "Make default" moves the bank one and
 * the next payment challenge names it; the payments list shows the card that paid. Bad input:
 * a stale page (the card is being removed meanwhile), a forged CSRF token.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PaymentChallenge } from '../../shared/messages/bodies.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { launchChromium } from '../support/browser.ts';
import { needs, requirements } from '../support/requirements.ts';
import {
  type OwnedBand,
  PASSWORD,
  type Terminal,
  addCard,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
} from './helpers/fixtures.ts';

needs(requirements.chromium).describe('default cards on the dashboard, in Chromium', () => {
  let h: Harness;
  let shop: Terminal;
  let browser: Browser;

  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  async function owner(): Promise<{ o: OwnedBand; cmb: string; beijing: string; page: Page }> {
    const o = await ownerWithBand(h); // ICBC: the bank default
    const cmb = (await addCard(o, o.band, o.deviceId, { issuerId: 'cmb' })).cardRef;
    await addCard(o, o.band, o.deviceId, { cityId: 'shanghai' }); // the transit default
    const beijing = (await addCard(o, o.band, o.deviceId, { cityId: 'beijing' })).cardRef;
    const page = await browser.newPage();
    await page.goto(`${h.server.url}/login`);
    await page.fill('input[name=username]', o.username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/dashboard$/);
    return { o, cmb, beijing, page };
  }

  const row = (page: Page, cardRef: string) => page.locator(`tr[data-card-ref="${cardRef}"]`);
  const marked = async (page: Page) =>
    Object.fromEntries(
      await page
        .locator('[data-default]')
        .evaluateAll((els) =>
          els.map((e) => [e.getAttribute('data-default'), e.closest('tr')?.getAttribute('data-card-ref')]),
        ),
    );

  it('marks the default of each kind; "Make default" moves the bank one, and the next tap starts with it', async () => {
    const { o, cmb, page } = await owner();
    const transit = (await o.client.band(o.deviceId)).cards.find((c) => c.kind === 'transit' && c.isDefault)?.cardRef;
    expect(await marked(page)).toEqual({ bank: o.cardRef, transit });
    expect(await row(page, o.cardRef).getByRole('button').count()).toBe(0);
    await row(page, cmb)
      .getByRole('button', { name: /Make China Merchants Bank •••• \d{4} the default bank card/ })
      .click();
    await page.waitForURL(/\/dashboard$/);
    expect(await marked(page)).toEqual({ bank: cmb, transit });
    expect(
      await row(page, o.cardRef)
        .getByRole('button', { name: /Make ICBC/ })
        .count(),
    ).toBe(1);
    // The checkout holds the default: the next payment challenge names it for the band to show first.
    const trade = await newTrade(shop, 9_00);
    const ch = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const opened = o.band.open(ch.message);
    expect((opened.body as PaymentChallenge).cardRef).toBe(cmb);
    // The wearer switched back to ICBC at the tap: the payments list names ICBC.
    await shop.client.answer(ch.challengeId, o.band.pay(opened, { claims: { cardRef: o.cardRef } }));
    await page.reload();
    expect(await page.locator('#payments').textContent()).toMatch(/ICBC •••• \d{4}/);
    await page.close();
  });

  it('a stale page: the card is being removed meanwhile; CARD_NOT_FOUND, defaults unchanged', async () => {
    const { o, beijing, page } = await owner();
    const before = await marked(page);
    await o.client.removeCard(o.deviceId, beijing);
    const [response] = await Promise.all([
      page.waitForResponse(/\/default$/),
      row(page, beijing)
        .getByRole('button', { name: /Make Beijing Yikatong/ })
        .click(),
    ]);
    expect(response.status()).toBe(404);
    expect(await page.textContent('.error')).toContain('CARD_NOT_FOUND');
    const cards = (await o.client.band(o.deviceId)).cards;
    expect(cards.filter((c) => c.isDefault).map((c) => c.cardRef)).toEqual([before.bank, before.transit]);
    await page.close();
  });

  it('a forged CSRF token: FORBIDDEN, defaults unchanged', async () => {
    const { o, cmb, page } = await owner();
    const form = row(page, cmb).locator('form');
    await form.locator('input[name=csrf]').evaluate((input) => ((input as HTMLInputElement).value = 'forged'));
    const [response] = await Promise.all([page.waitForResponse(/\/default$/), form.getByRole('button').click()]);
    expect(response.status()).toBe(403);
    expect((await o.client.band(o.deviceId)).cards.find((c) => c.isDefault && c.kind === 'bank')?.cardRef).toBe(
      o.cardRef,
    );
    await page.close();
  });
});
