/**
 * Bundles a TypeScript scenario for `duk` with the image pipeline's own pieces
 * (tools/image/bundle.ts: esbuild, one IIFE; tools/image/lower.ts: Babel to ES5), so
 * the checkout side runs inside Duktape 2.7 next to the image. The image's size passes
 * (detail stripping, constant inlining) are off: a failing check should say why.
 */
import { bundleFirmware } from '../../tools/image/bundle.ts';
import { lowerToEs5 } from '../../tools/image/lower.ts';

export const DUK_SCENARIO_ENTRY = new URL('./duk-checkout/scenario.ts', import.meta.url).pathname;

/** ES5 script of `entry` and everything it imports (shared/ and test/support protocol code). */
export async function bundleScenarioForDuk(entry = DUK_SCENARIO_ENTRY): Promise<string> {
  return lowerToEs5(await bundleFirmware(entry), 'duk-scenario.js', { stripDetails: false, inlineConstants: false });
}
