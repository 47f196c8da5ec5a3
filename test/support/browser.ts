/** Debian Chromium through playwright-core, as the simulator's browser tests use it. */
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from './requirements.ts';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
