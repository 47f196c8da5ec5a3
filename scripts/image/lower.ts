/**
 * Lowering the bundled ES2022 code to ES5 with Babel (esbuild cannot emit ES5 syntax).
 *
 * Why these options (each was needed to keep Symbol, Array.from, Map and Reflect out of
 * the output; see docs/FIRMWARE-IMAGE.md):
 * - preset-env with `forceAllTransforms` (explicit ES5, whatever browserslist says),
 *   `useBuiltIns: false` (no core-js imports) and `loose: true` (prototype-assigned class
 *   methods with `_inheritsLoose`, plain-assigned class fields, `_extends` for object
 *   spread; the strict modes pull in `_createClass`/`_toPropertyKey`, which probe Symbol).
 * - `transform-for-of` excluded from the preset and re-added with `assumeArray: true`:
 *   preset-wide `loose` makes the plugin ignore the `iterableIsArray` assumption and use
 *   `_createForOfIteratorHelperLoose` (Symbol.iterator, Array.from).
 * - assumption `iterableIsArray`: array spread and array destructuring index directly
 *   (`[].concat(a)`, `a[0]`) instead of going through iterator helpers.
 * - `transform-typeof-symbol` excluded: its `_typeof` helper references Symbol, and
 *   ES5 engines have no symbols to report.
 * - es5Plugins (./es5-plugins.ts, a pass of its own before the preset): `extends Error` without `_wrapNativeSuper` (Map,
 *   Reflect), spread of typed arrays/strings in array literals, and a build error for
 *   `super.prop` reads, which loose mode gets wrong.
 *
 * Babel puts its helpers at the top of the program, where they would be globals; so the
 * result is wrapped in one more function, behind the image's single global declaration.
 */
import { createRequire } from 'node:module';
import { transformSync, type PluginItem } from '@babel/core';
import { es5Plugins } from './es5-plugins.ts';

/** The one global the image defines (docs/FIRMWARE-IMAGE.md). */
export const IMAGE_GLOBAL = 'wristpay';

// The for-of plugin is a dependency of preset-env, not of ours: resolve it from there so
// the preset and the plugin always come from the same Babel install.
const fromPresetEnv = createRequire(createRequire(import.meta.url).resolve('@babel/preset-env'));
const forOfPlugin = fromPresetEnv('@babel/plugin-transform-for-of') as { default?: unknown };

export const BABEL_ES5_OPTIONS = {
  configFile: false,
  babelrc: false,
  sourceType: 'script' as const,
  comments: false,
  compact: false,
  assumptions: { iterableIsArray: true },
  plugins: [[forOfPlugin.default ?? forOfPlugin, { assumeArray: true }]] as PluginItem[],
  presets: [
    [
      '@babel/preset-env',
      {
        targets: { ie: '11' },
        forceAllTransforms: true,
        ignoreBrowserslistConfig: true,
        loose: true,
        useBuiltIns: false,
        modules: false,
        exclude: ['transform-typeof-symbol', 'transform-for-of'],
      },
    ],
  ] as PluginItem[],
};

/** Lowers one script (esbuild's IIFE bundle) to ES5 and wraps it behind `var wristpay;`. */
export function lowerToEs5(code: string, filename = 'band.js'): string {
  // Pass 1 sees the source before any lowering: in one merged pass, preset-env rewrites a
  // class or array literal before es5Plugins could visit the super/spread nodes inside.
  const fixed = transformSync(code, { configFile: false, babelrc: false, sourceType: 'script', filename, plugins: [es5Plugins] });
  if (!fixed || typeof fixed.code !== 'string') throw new Error('babel returned no code');
  const out = transformSync(fixed.code, { ...BABEL_ES5_OPTIONS, filename });
  if (!out || typeof out.code !== 'string') throw new Error('babel returned no code');
  // The IIFE keeps Babel's helpers local; `var wristpay` is the image's only global.
  return `var ${IMAGE_GLOBAL};\n(function () {\n${out.code}\n})();\n`;
}
