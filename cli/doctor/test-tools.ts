/**
 * The programs the browser and Duktape test suites drive, named once: `wristpay doctor`
 * reports whether they are there, and the suites (test/support/requirements.ts,
 * harness/engines/duktape-runner.ts) use the same paths to decide whether they can run.
 */
import { existsSync } from 'node:fs';

/** Debian's Chromium, driven by playwright-core (npm cannot download browsers here). */
export const CHROMIUM = '/usr/bin/chromium';
/** Debian's Duktape 2.7 command line, the second engine of the image profile. */
export const DUK = '/usr/bin/duk';

export interface TestTool {
  name: string;
  path: string;
  /** The Debian package that provides it. */
  apt: string;
  /** What goes untested without it. */
  needs: string;
}

export const TEST_TOOLS: readonly TestTool[] = [
  { name: 'chromium', path: CHROMIUM, apt: 'chromium', needs: 'the page tests (dashboards, simulator UI)' },
  { name: 'duk', path: DUK, apt: 'duktape', needs: 'the Duktape tests of the band image' },
];

export function toolPresent(path: string): boolean {
  return existsSync(path);
}
