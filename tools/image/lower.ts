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
 * - es5Plugins (./es5-plugins.ts, a pass of its own before the preset): `extends Error`
 *   without `_wrapNativeSuper` (Map, Reflect), spread of typed arrays/strings in array
 *   literals, and a build error for `super.prop` reads, which loose mode gets wrong.
 *
 * The image-size passes (docs/FIRMWARE-IMAGE.md "What the image build assumes") run in
 * the same first pass, ahead of es5Plugins, because they need esbuild's bundle as it is:
 * ./strip-details.ts, ./inline-constants.ts, ./dead-methods.ts. ./es5-shrink.ts runs as a
 * third pass on the finished ES5. Each can be turned off (LowerOptions) to measure it or to
 * debug an image.
 *
 * Babel puts its helpers at the top of the program, where they would be globals; so the
 * result is wrapped in one more function, behind the image's single global declaration.
 */
import { createRequire } from 'node:module';
import { transformSync, type PluginItem } from '@babel/core';
import { deadMethods, type DeadMethodStats } from './dead-methods.ts';
import { es5Plugins } from './es5-plugins.ts';
import { es5Shrink, type ShrinkStats } from './es5-shrink.ts';
import { inlineConstants, type InlineStats } from './inline-constants.ts';
import { emptyStripStats, stripDetails, type StripStats } from './strip-details.ts';
import { strictOnce } from './strict-once.ts';

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

export interface LowerOptions {
  /** Drop diagnostic detail strings (./strip-details.ts). Default true; false keeps them. */
  stripDetails?: boolean;
  /** Inline constant tables (./inline-constants.ts). Default true. */
  inlineConstants?: boolean;
  /** Remove uncallable class methods (./dead-methods.ts). Default true. */
  deadMethods?: boolean;
  /** Alias `this` and built-ins in the ES5 output (./es5-shrink.ts). Default true. */
  shrink?: boolean;
  /** Filled in with what the size passes did. */
  stats?: LowerStats;
  /**
   * The input is module code (esbuild's bundle of ES modules), hence strict: the image gets
   * one `"use strict"` instead of one per class (./strict-once.ts). Default false.
   */
  moduleCode?: boolean;
  /** Carry the input's inline source map through, as an inline map (./size-map.ts). */
  sourceMaps?: boolean;
}

export interface LowerStats {
  strip: StripStats;
  inline: InlineStats;
  dead: DeadMethodStats;
  shrink: ShrinkStats;
}

export function emptyLowerStats(): LowerStats {
  return {
    strip: emptyStripStats(),
    inline: { reads: 0, tablesRemoved: 0 },
    dead: { removed: [] },
    shrink: { thisAliased: 0, globalsAliased: [], undefinedAliased: 0 },
  };
}

/** Lowers one script (esbuild's IIFE bundle) to ES5 and wraps it behind `var wristpay;`. */
export function lowerToEs5(code: string, filename = 'band.js', opts: LowerOptions = {}): string {
  const stats = opts.stats ?? emptyLowerStats();
  // Pass 1 sees the source before any lowering: in one merged pass, preset-env rewrites a
  // class or array literal before es5Plugins could visit the super/spread nodes inside.
  // The size passes run first in it (their work is done in Program enter, on the whole
  // bundle, before es5Plugins visits anything) and need the unlowered bundle: esbuild's
  // module comments and the original top-level declarations.
  // Stripping goes first: a dropped detail may have been a table's last other use.
  const plugins: PluginItem[] = [];
  if (opts.stripDetails !== false) plugins.push(stripDetails({ stats: stats.strip }));
  if (opts.inlineConstants !== false) plugins.push(inlineConstants({ stats: stats.inline }));
  if (opts.deadMethods !== false) plugins.push(deadMethods({ stats: stats.dead }));
  plugins.push(es5Plugins);
  const sourceMaps = opts.sourceMaps === true ? ('inline' as const) : false;
  const fixed = transformSync(code, {
    configFile: false,
    babelrc: false,
    sourceType: 'script',
    filename,
    plugins,
    sourceMaps,
    // With an inline map the input passes Babel's 500 KB mark for "auto" compact output.
    compact: false,
  });
  if (!fixed || typeof fixed.code !== 'string') throw new Error('babel returned no code');
  let out = transformSync(fixed.code, { ...BABEL_ES5_OPTIONS, filename, sourceMaps });
  if (!out || typeof out.code !== 'string') throw new Error('babel returned no code');
  // Pass 3 works on finished ES5 (no arrows left, Babel's helpers in place).
  const finish: PluginItem[] = [];
  if (opts.shrink !== false) finish.push(es5Shrink({ stats: stats.shrink }));
  if (opts.moduleCode === true) finish.push(strictOnce);
  if (finish.length > 0) {
    out = transformSync(out.code, {
      configFile: false,
      babelrc: false,
      sourceType: 'script',
      filename,
      comments: false,
      compact: false,
      plugins: finish,
      sourceMaps,
    });
    if (!out || typeof out.code !== 'string') throw new Error('babel returned no code');
  }
  // The IIFE keeps Babel's helpers local; `var wristpay` is the image's only global.
  const prologue = opts.moduleCode === true ? '"use strict";\n' : '';
  if (sourceMaps === false) return `var ${IMAGE_GLOBAL};\n(function () {\n${prologue}${out.code}\n})();\n`;
  return wrapWithMap(out.code, prologue);
}

const INLINE_MAP = '//# sourceMappingURL=data:application/json;charset=utf-8;base64,';

/** The same wrapper, with the code's inline map moved past it and shifted down past its head. */
function wrapWithMap(code: string, prologue: string): string {
  const at = code.lastIndexOf(INLINE_MAP);
  if (at === -1) throw new Error('babel returned no inline source map');
  const map = JSON.parse(Buffer.from(code.slice(at + INLINE_MAP.length).trim(), 'base64').toString('utf8'));
  map.mappings = `;;${prologue === '' ? '' : ';'}${map.mappings}`;
  const body = code.slice(0, at).trimEnd();
  const shifted = INLINE_MAP + Buffer.from(JSON.stringify(map)).toString('base64');
  return `var ${IMAGE_GLOBAL};\n(function () {\n${prologue}${body}\n})();\n${shifted}\n`;
}
