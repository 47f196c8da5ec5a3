/**
 * Bundling the firmware entry into one script with esbuild, and the final minification.
 *
 * The bundle targets ES2022 on purpose, not ES2015: esbuild's own lowering helpers
 * (`__spreadValues`, `__publicField`) iterate `Object.getOwnPropertySymbols` with for-of,
 * which Babel would then lower with Symbol-aware helpers. Leaving all syntax lowering to
 * Babel (./lower.ts), under its array assumptions, gives smaller Symbol-free output.
 */
import { existsSync } from 'node:fs';
import * as esbuild from 'esbuild';

/**
 * Bundles `entry` (TypeScript, imports with .ts extensions) into one IIFE script.
 * `sourceMap` appends an inline source map, which the later passes carry through
 * (./size-map.ts: where the image's bytes come from).
 */
export async function bundleFirmware(entry: string, sourceMap = false): Promise<string> {
  if (!existsSync(entry)) throw new Error(`firmware entry not found: ${entry}`);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    treeShaking: true,
    sourcemap: sourceMap ? 'inline' : false,
    minify: false,
    write: false,
    legalComments: 'none',
    // The image may not pull Node built-ins; with platform neutral an import of one is a
    // resolution error, which is what we want.
    mainFields: ['module', 'main'],
    // A field declared without an initializer (`status: StatusCode;`, assigned in the
    // constructor) would otherwise become `this.status = void 0` before the real assignment:
    // ~40 dead stores, ~600 bytes. With TypeScript's assign semantics esbuild drops the bare
    // declaration and turns initialized fields into constructor assignments, which is what
    // Babel's loose class lowering produces anyway. Observable only through `'x' in obj`,
    // Object.keys or a subclass field shadowing a base field; docs/FIRMWARE-IMAGE.md.
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    logLevel: 'silent',
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join('; ')}`);
  const file = result.outputFiles?.[0];
  if (!file) throw new Error('esbuild produced no output');
  return file.text;
}

/**
 * Minifies already-ES5 code. With `target: 'es5'` esbuild may not introduce newer
 * syntax (no arrows, shorthand properties or template literals); the profile check in
 * ./es5-check.ts runs on this output anyway. No format is set, so the top-level
 * `var wristpay` keeps its name (esbuild does not rename top-level symbols of a script).
 *
 * `props` turns on property mangling (./mangle-props.ts decides what is safe). The other
 * esbuild knobs were measured and left alone: `keepNames` is off by default (names of
 * classes and functions are not kept), `legalComments: 'none'` (there are none),
 * `treeShaking` is a no-op here (everything lives inside one function, not at the top
 * level a script's tree-shaker looks at; esbuild already dropped unused code when
 * bundling), and `pure` annotations have nothing to remove that is not already gone.
 */
export async function minifyEs5(
  code: string,
  props?: { mangleProps: RegExp; reserveProps: RegExp },
  sourceMap = false,
): Promise<string> {
  const result = await esbuild.transform(code, {
    // Inline: esbuild composes it with the input's own inline map.
    sourcemap: sourceMap ? 'inline' : false,
    loader: 'js',
    minify: true,
    target: 'es5',
    legalComments: 'none',
    charset: 'ascii',
    logLevel: 'silent',
    ...(props ?? {}),
  });
  return result.code;
}
