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

/** Bundles `entry` (TypeScript, imports with .ts extensions) into one IIFE script. */
export async function bundleFirmware(entry: string): Promise<string> {
  if (!existsSync(entry)) throw new Error(`firmware entry not found: ${entry}`);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    treeShaking: true,
    sourcemap: false,
    minify: false,
    write: false,
    legalComments: 'none',
    // The image may not pull Node built-ins; with platform neutral an import of one is a
    // resolution error, which is what we want.
    mainFields: ['module', 'main'],
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
 */
export async function minifyEs5(code: string): Promise<string> {
  const result = await esbuild.transform(code, {
    loader: 'js',
    minify: true,
    target: 'es5',
    legalComments: 'none',
    charset: 'ascii',
    logLevel: 'silent',
  });
  return result.code;
}
