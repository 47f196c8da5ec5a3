/**
 * The lost-band page and the merchant page in a real browser (Debian Chromium driven by
 * playwright-core): log in, see the band, turn wrist payments off, see it revoked, and a
 * token from that band is refused afterwards; the merchant page shows the pairing code
 * as text and as a QR code; a browser that signed in before is not locked out by a
 * stranger (wp_device cookie). Screenshots go to a temp dir.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PASSWORD,
  type Terminal,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  payWithBand,
  unique,
} from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { launchChromium } from '../support/browser.ts';
import { needs, requirements } from '../support/requirements.ts';

needs(requirements.chromium).describe('web pages in Chromium', () => {
  let h: Harness;
  let shop: Terminal;
  let browser: Browser;
  const shots = mkdtempSync(join(tmpdir(), 'wristpay-shots-'));

  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('the owner turns wrist payments off from the lost-band page, and the band stops paying', async () => {
    const o = await ownerWithBand(h);
    await payWithBand(shop, o.band, (await newTrade(shop, 18_00)).outTradeNo);
    const page = await browser.newPage();
    // /lost offers the turn-off code form and a link to log in (browser-lost-terminals.test.ts).
    await page.goto(`${h.server.url}/lost`);
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.fill('input[name=username]', o.username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    const band = page.locator(`section[data-device-id="${o.deviceId}"]`);
    await band.waitFor();
    expect(await band.locator('[data-status]').getAttribute('data-status')).toBe('active');
    expect(await band.textContent()).toContain('ICBC');
    expect(await page.locator('#payments').textContent()).toContain('18.00 CNY');
    // The payment names the merchant; the full device id is on the page for `wristpay owner revoke`.
    expect(await page.locator('#payments td.merchant').first().textContent()).toBe(shop.merchantName);
    expect(await band.locator('code.device-id').textContent()).toBe(o.deviceId);
    expect(await band.locator('[data-card-ref] td[data-state]').first().textContent()).toBe('active');
    // Where it last paid (finding a lost band): the merchant and till, never a place.
    expect(await band.locator('.last-seen').textContent()).toMatch(
      new RegExp(
        `^Last seen at ${shop.merchantName}'s terminal till 1, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC; battery not reported$`,
      ),
    );
    // "Ring it at its next contact", then withdrawn: the API says the same as the page.
    await band.getByRole('button', { name: 'Ring it at its next contact' }).click();
    await page.waitForURL(/\/dashboard$/);
    expect(await band.locator('[data-ring]').getAttribute('data-ring')).toBe('asked');
    expect((await o.client.lastSeen(o.deviceId)).ringRequestedAt).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'dashboard.png'), fullPage: true });
    await band.getByRole('button', { name: 'Cancel ringing' }).click();
    await page.waitForURL(/\/dashboard$/);
    expect(await band.locator('[data-ring]').getAttribute('data-ring')).toBe('none');
    expect((await o.client.lastSeen(o.deviceId)).ringRequestedAt).toBeNull();
    // Unticked: the browser does not send the form (the box is required) and the band stays on.
    await band.getByRole('button', { name: 'Turn off wrist payments' }).click();
    await page.waitForTimeout(300);
    expect((await o.client.band(o.deviceId)).status).toBe('active');
    await band.getByLabel(/Turn it off for good/).check();
    await band.getByRole('button', { name: 'Turn off wrist payments' }).click();
    await page.waitForURL(/\/dashboard$/);
    expect(await band.locator('[data-status]').getAttribute('data-status')).toBe('revoked');
    expect(await band.getByRole('button', { name: 'Turn off wrist payments' }).count()).toBe(0);
    // Its cards say "off", not "active".
    expect(await band.locator('[data-card-ref] td[data-state]').allTextContents()).toEqual(['off']);
    await page.screenshot({ path: join(shots, 'revoked.png'), fullPage: true });
    expect(existsSync(join(shots, 'revoked.png'))).toBe(true);
    // The very next payment attempt is refused, with the wipe attached.
    const err = await refusal(
      shop.client.payWithBand((await newTrade(shop, 1_00)).outTradeNo, o.band.hello()),
      'REVOKED',
    );
    expect(err.challenge?.kind).toBe('wipe');
    await page.close();
  });

  it('refuses the revoke form without the CSRF token', async () => {
    const o = await ownerWithBand(h);
    const page = await browser.newPage();
    await page.goto(`${h.server.url}/login`);
    await page.fill('input[name=username]', o.username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    const band = page.locator(`section[data-device-id="${o.deviceId}"]`);
    await band
      .locator('form[action$="/revoke"] input[name=csrf]')
      .evaluate((input) => ((input as HTMLInputElement).value = 'forged'));
    await band.getByLabel(/Turn it off for good/).check();
    const [response] = await Promise.all([
      page.waitForResponse(/\/revoke$/),
      band.getByRole('button', { name: 'Turn off wrist payments' }).click(),
    ]);
    expect(response.status()).toBe(403);
    expect(await page.textContent('.error')).toContain('FORBIDDEN');
    expect((await o.client.band(o.deviceId)).status).toBe('active');
    await page.close();
  });

  it('refuses the revoke form without the confirmation, also when the required box is taken out of the page', async () => {
    const o = await ownerWithBand(h);
    const page = await browser.newPage();
    await page.goto(`${h.server.url}/login`);
    await page.fill('input[name=username]', o.username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    const band = page.locator(`section[data-device-id="${o.deviceId}"]`);
    await band.locator('input[name=confirm]').evaluate((input) => input.remove());
    const [response] = await Promise.all([
      page.waitForResponse(/\/revoke$/),
      band.getByRole('button', { name: 'Turn off wrist payments' }).click(),
    ]);
    expect(response.status()).toBe(400);
    expect(await page.textContent('.error')).toContain('tick the box');
    expect((await o.client.band(o.deviceId)).status).toBe('active');
    await page.close();
  });

  it('the merchant page shows a new pairing code as text and as a QR code', async () => {
    const username = unique('merchant');
    await h.client.register({ username, password: PASSWORD, kind: 'merchant', displayName: 'Noodle Bar' });
    const page = await browser.newPage();
    await page.goto(`${h.server.url}/login`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/merchant$/);
    await page.getByRole('button', { name: 'New pairing code' }).click();
    const code = (await page.locator('#pairing-code').textContent())?.trim() ?? '';
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(await page.locator('#pairing-qr svg').count()).toBe(1);
    expect(await page.locator('#pairing-qr').getAttribute('data-qr-text')).toBe(
      `wristpay-pair:${code}@${h.server.url}`,
    );
    const box = await page.locator('#pairing-qr svg').boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    await page.screenshot({ path: join(shots, 'merchant.png'), fullPage: true });
    // The code shown is one a terminal can pair with.
    const terminal = await h.client.pairTerminal(code, h.provider.p256PublicKey(h.provider.p256Generate()), 'till 2');
    expect(terminal.merchantName).toBe('Noodle Bar');
    await page.close();
  });

  it("a browser that signed in before reaches /lost after a stranger's failed logins; a fresh browser is throttled", async () => {
    const o = await ownerWithBand(h);
    const mine = await browser.newContext();
    const page = await mine.newPage();
    const signIn = async (p: typeof page) => {
      await p.goto(`${h.server.url}/lost`); // no session: the turn-off code form, with a link to log in
      await p.getByRole('link', { name: 'Log in' }).click();
      await p.fill('input[name=username]', o.username);
      await p.fill('input[name=password]', PASSWORD);
      const [response] = await Promise.all([
        p.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'),
        p.click('button[type=submit]'),
      ]);
      return response;
    };
    expect((await signIn(page)).status()).toBe(303);
    const device = (await mine.cookies()).find((c) => c.name === 'wp_device');
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login$/);
    // The stranger, from elsewhere: wrong passwords until new clients are throttled.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.client.login(o.username, `stranger ${i}`).catch(() => undefined)),
    );
    expect((await signIn(page)).status()).toBe(303);
    const band = page.locator(`section[data-device-id="${o.deviceId}"]`);
    await band.waitFor();
    expect(await band.getByRole('button', { name: 'Turn off wrist payments' }).count()).toBe(1);
    const fresh = await browser.newContext();
    const other = await fresh.newPage();
    expect((await signIn(other)).status()).toBe(423);
    expect(await other.locator('.error').textContent()).toContain('too many failed sign-ins from new devices');
    await mine.close();
    await fresh.close();
  });
});
