/**
 * In Chromium (playwright-core, no JavaScript on the pages): "Sign in with your band" on
 * /login. The page shows a code and reloads itself; the band signs in at a bridge (the real
 * firmware in-process, the bridge's own flow); the page lands on the dashboard. Then the
 * account asks for its band after the password: the password alone leads to the same waiting
 * page, bound to that account, and only the band finishes it. Also reachable from /lost.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setBandRequired } from '../../checkout/api/identity-client.ts';
import { enrollBand, unlockBand } from '../../bridge/flows/index.ts';
import { loginWithBand, registerIdentity } from '../../bridge/flows/identity.ts';
import type { KeepaliveMessage } from '../../shared/messages/clear.ts';
import { PASSWORD, type World, startWorld } from '../bridge/helpers/world.ts';
import { launchChromium } from '../support/browser.ts';
import { needs, requirements } from '../support/requirements.ts';

needs(requirements.chromium).describe('sign in with your band, in Chromium', () => {
  let w: World;
  let browser: Browser;
  const press = () => ({
    onKeepalive: (k: KeepaliveMessage) => {
      if (k.remainingMs > 0) w.band.env.button.press();
    },
  });

  async function bandSignsIn(page: Page): Promise<void> {
    const code = (await page.locator('#band-code').textContent())?.trim() ?? '';
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    expect(await page.locator('#band-command').textContent()).toBe(`wristpay bridge identity login ${code}`);
    const r = await loginWithBand(w.h.client, await w.session(), code, press());
    if (!r.ok) throw new Error(`${r.name}: ${r.message}`);
    // The page reloads itself (Refresh: 2) and takes its session.
    await page.waitForURL(/\/dashboard$/, { timeout: 10_000 });
    expect(await page.locator('header span').textContent()).toBe(w.username);
  }

  beforeAll(async () => {
    w = await startWorld(13);
    const e = await enrollBand(w.owner, await w.session(), { name: 'id band' });
    if (!e.ok) throw new Error(e.message);
    w.band.putOn();
    const u = await unlockBand(w.h.client, await w.session(), w.username, PASSWORD);
    if (!u.ok) throw new Error(u.message);
    const r = await registerIdentity(w.owner, await w.session(), press());
    if (!r.ok) throw new Error(r.message);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await w?.close();
  });

  it('passwordless: /login → "Sign in with your band" → the code → the band at a bridge → the dashboard', async () => {
    const page = await browser.newPage();
    await page.goto(`${w.h.server.url}/login`);
    await page.getByRole('button', { name: 'Sign in with your band' }).click();
    await page.waitForURL(/\/login\/band$/);
    await bandSignsIn(page);
    // The sign-in is spent: going back to the waiting page starts nothing.
    await page.goto(`${w.h.server.url}/login/band`);
    await page.waitForURL(/\/login$/);
  });

  it('second factor: the right password leads to the band page, and only the band finishes it', async () => {
    await setBandRequired(w.owner, true);
    const page = await browser.newPage();
    await page.goto(`${w.h.server.url}/login`);
    await page.fill('input[name=username]', w.username);
    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/login\/band$/);
    expect(await page.locator('#band-code').count()).toBe(1);
    // Nobody is signed in while the band has not answered.
    await page.goto(`${w.h.server.url}/dashboard`);
    await page.waitForURL(/\/login$/);
    await page.goto(`${w.h.server.url}/login/band`);
    await bandSignsIn(page);
    await setBandRequired(w.owner, false);
  });

  it('/lost offers the band too', async () => {
    const page = await browser.newPage();
    await page.goto(`${w.h.server.url}/lost`);
    await page.getByRole('button', { name: 'Sign in with your band' }).click();
    await page.waitForURL(/\/login\/band$/);
    await bandSignsIn(page);
  });
});
