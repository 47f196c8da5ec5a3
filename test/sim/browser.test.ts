/**
 * The simulator's web page in a real browser (Debian Chromium via playwright-core): the
 * band's display and state, the wear toggle and the button change the band, the radio
 * log shows frames as they cross, and a screenshot is taken; on a 390 px phone screen the
 * page fits without scrolling sideways.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Simulator } from '../../sim/band/simulator.ts';
import { helloRequest } from './helpers/frames.ts';
import { launchChromium } from '../support/browser.ts';
import { testImages } from '../../harness/images.ts';
import { RawCentral } from './helpers/raw-central.ts';
import { payAboveLimit, prepareBand } from './helpers/payment-story.ts';
import { flashedDir, removeTempDirs, startOnAnyPort, tempDir } from './helpers/sim.ts';
import { Gatt } from '../../shared/protocol/constants.ts';
import { normUuid } from '../../sim/band/noble-protocol.ts';
import { needs, requirements } from '../support/requirements.ts';

let sim: Simulator;
let browser: Browser;
let page: Page;

needs(requirements.chromium).describe('simulator web UI', () => {
  beforeAll(async () => {
    const img = await testImages();
    sim = await startOnAnyPort(flashedDir(img.main, img.vendorPub), { firmwareConfig: { removalDebounceMs: 100 } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${sim.url}/`);
    await page.getByTestId('band-1').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    removeTempDirs();
  });

  it('shows the band as a person sees it', async () => {
    await expect.poll(() => page.getByTestId('display-1').textContent()).toContain('Not enrolled');
    expect(await page.getByTestId('state-1').textContent()).toBe('off-wrist');
    expect(await page.getByTestId('worn-1').textContent()).toBe('off wrist');
    expect(await page.getByTestId('cards-1').textContent()).toContain('No cards');
    expect(await page.getByTestId('heap-1').textContent()).toMatch(/KiB/);
    expect(await page.locator('#live').textContent()).toBe('live');
  });

  it('the wear toggle puts the band on and takes it off', async () => {
    await page.getByText('On wrist').click();
    await expect.poll(() => page.getByTestId('state-1').textContent()).toBe('worn-locked');
    expect(await page.getByTestId('worn-1').textContent()).toBe('worn');
    expect(sim.band(1).status()).toMatchObject({ worn: true, state: 'worn-locked' });
    await page.getByText('On wrist').click();
    await expect.poll(() => page.getByTestId('state-1').textContent()).toBe('off-wrist');
    expect(sim.band(1).status().worn).toBe(false);
  });

  it('the button on the page presses the band button', async () => {
    await page.getByTestId('press-1').click();
    await expect.poll(() => page.getByTestId('presses-1').textContent()).toBe('1 press');
    await page.locator('.hw-btn').click(); // the button on the watch case
    await expect.poll(() => page.getByTestId('presses-1').textContent()).toBe('2 presses');
    expect(sim.band(1).status().buttonPresses).toBe(2);
  });

  it('logs radio frames live, with direction and size; takes a screenshot', async () => {
    const c = await RawCentral.open(sim.radioPort);
    const id = sim.band(1).peripheralId;
    await c.connect(id);
    c.send({
      action: 'notify',
      peripheralUuid: id,
      serviceUuid: normUuid(Gatt.SERVICE),
      characteristicUuid: normUuid(Gatt.STATUS),
      notify: true,
    });
    await c.type('notify');
    const [frag] = helloRequest(185);
    c.send({
      action: 'write',
      peripheralUuid: id,
      serviceUuid: normUuid(Gatt.SERVICE),
      characteristicUuid: normUuid(Gatt.CONTROL_POINT),
      data: Buffer.from(frag).toString('hex'),
    });
    await c.next((f) => f.type === 'read' && f.isNotification === true);
    const frames = page.getByTestId('frames-1');
    await expect.poll(() => frames.textContent()).toContain('from band');
    const text = (await frames.textContent()) ?? '';
    expect(text).toContain('connected, mtu 185');
    expect(text).toMatch(/to band\s*\d+ B\s*MSG len \d+/);
    expect(text).toMatch(/from band\s*\d+ B\s*ERROR len \d+/);
    const shot = join(tempDir('wristpay-shot-'), 'simulator.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(existsSync(shot) && statSync(shot).size).toBeGreaterThan(10_000);
    c.close();
  });

  it('a payment above the limit waits for the button; pressing it on the page approves it', async () => {
    await page.getByText('On wrist').click();
    await expect.poll(() => page.getByTestId('state-1').textContent()).toBe('worn-locked');
    const story = await prepareBand(sim);
    try {
      await expect.poll(() => page.getByTestId('state-1').textContent()).toBe('worn-unlocked');
      await expect.poll(() => page.getByTestId('cards-1').textContent()).toMatch(/••••/);
      const presses = sim.band(1).status().buttonPresses;
      const paid = await payAboveLimit(story, async () => {
        await expect.poll(() => page.getByTestId('display-1').textContent()).toContain('300.00');
        await page.getByTestId('press-1').click();
      });
      expect(paid.keepalives).toBeGreaterThan(0);
      expect(paid.receipt).toMatchObject({ amount: 300_00, currency: 'CNY' });
      expect(sim.band(1).status().buttonPresses).toBe(presses + 1);
      await expect.poll(() => page.getByTestId('display-1').textContent()).toContain('Approved');
      await page.screenshot({ path: join(tempDir('wristpay-shot-'), 'approved.png') });
    } finally {
      await story.close();
    }
  });

  it('fits a 390 px wide phone screen: no sideways scroll, nothing cut off, the band usable', async () => {
    // A phone as a person holds it (the page's meta viewport applies); a central connects so
    // the radio log has rows too (after the stories above the band also has cards).
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 3,
    });
    const c = await RawCentral.open(sim.radioPort);
    try {
      await phone.goto(`${sim.url}/`);
      await phone.getByTestId('band-1').waitFor();
      await c.connect(sim.band(1).peripheralId);
      await expect.poll(() => phone.getByTestId('frames-1').textContent()).toContain('connected');
      // innerWidth is no ruler here: a phone browser zooms out to show a page that overflows.
      const fit = await phone.evaluate((width) => {
        // Anything sticking out past the right edge, unless a scrolling or clipping box of its own holds it.
        const clipped = (e: Element): boolean => {
          for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true;
          }
          return false;
        };
        const out = Array.from(document.body.querySelectorAll('*'))
          .filter((e) => e.getBoundingClientRect().right > width + 0.5 && !clipped(e))
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`);
        return {
          innerWidth: window.innerWidth,
          scrollWidth: document.documentElement.scrollWidth,
          bodyOverflow: getComputedStyle(document.body).overflowX,
          out,
        };
      }, 390);
      expect(fit.innerWidth).toBe(390); // not zoomed out
      expect(fit.scrollWidth).toBeLessThanOrEqual(390);
      expect(fit.bodyOverflow).toBe('visible'); // fitted, not hidden
      expect(fit.out).toEqual([]);
      for (const id of ['display-1', 'press-1', 'cards-1']) {
        const box = await phone.getByTestId(id).boundingBox();
        expect(box && box.x >= 0 && box.x + box.width <= 390, id).toBe(true);
      }
      await phone.getByTestId('press-1').tap();
      await phone.screenshot({ path: join(tempDir('wristpay-shot-'), 'phone-390.png'), fullPage: true });
    } finally {
      c.close();
      await phone.close();
    }
  });
});
