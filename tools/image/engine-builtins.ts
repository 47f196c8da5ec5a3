/**
 * The built-in globals each engine the image claims defines before the image runs, so the
 * image may name only what all of them have (docs/FIRMWARE-IMAGE.md, "What firmware code may
 * use"). A name one engine lacks is a ReferenceError there at the line that reads it — and
 * since ./es5-shrink.ts reads often-used built-ins into locals at the top of the image, at
 * boot, before the band can do anything.
 *
 * Each list holds the ES5 globals and typed arrays that engine has (its other globals are
 * out of the profile anyway). Where the lists come from:
 * - Espruino 2v29: the `/*JSON{"type":"class"…` and `"type":"function"` wrappers in its src/
 *   (jswrap_error.c defines Error, SyntaxError, TypeError, ReferenceError, InternalError;
 *   jswrap_functions.c has encodeURIComponent/decodeURIComponent but not encodeURI/decodeURI),
 *   checked by reading each name in a Linux build.
 * - JerryScript 3.0 (es.next profile, the default), Duktape 2.7 and QuickJS: all of ES5 and the
 *   typed arrays. JerryScript's es5.1 profile has no typed arrays, so the image does not claim it.
 */

/** Engines the image claims, as messages name them. */
export const TARGET_ENGINES = ['Espruino 2v29', 'JerryScript 3.0', 'Duktape 2.7', 'QuickJS'] as const;
export type TargetEngine = (typeof TARGET_ENGINES)[number];

const ES5 = [
  'Object',
  'Function',
  'Array',
  'String',
  'Boolean',
  'Number',
  'Math',
  'JSON',
  'Error',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'parseInt',
  'parseFloat',
  'isNaN',
  'isFinite',
  'decodeURI',
  'decodeURIComponent',
  'encodeURI',
  'encodeURIComponent',
  'NaN',
  'Infinity',
  'undefined',
  'arguments',
  // Date and RegExp are ES5 too, but the band's engine leaves them out
  // (sim/engine/quickjs-profile.ts): time comes from hal.clock.
];

const TYPED_ARRAYS = [
  'ArrayBuffer',
  'DataView',
  'Uint8Array',
  'Int8Array',
  'Uint8ClampedArray',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
];

const ESPRUINO_LACKS = new Set(['EvalError', 'RangeError', 'URIError', 'decodeURI', 'encodeURI']);

const BUILTINS: Record<TargetEngine, ReadonlySet<string>> = {
  'Espruino 2v29': new Set([...ES5, ...TYPED_ARRAYS].filter((name) => !ESPRUINO_LACKS.has(name))),
  'JerryScript 3.0': new Set([...ES5, ...TYPED_ARRAYS]),
  'Duktape 2.7': new Set([...ES5, ...TYPED_ARRAYS]),
  QuickJS: new Set([...ES5, ...TYPED_ARRAYS]),
};

/** The target engines that do not define `name` (empty when every one does). */
export function enginesLacking(name: string): TargetEngine[] {
  return TARGET_ENGINES.filter((engine) => !BUILTINS[engine].has(name));
}

/** True when every target engine defines the built-in `name`. */
export function everyEngineHas(name: string): boolean {
  return enginesLacking(name).length === 0;
}

/** True when at least one target engine defines `name`: a standard built-in, not a stray global. */
export function someEngineHas(name: string): boolean {
  return TARGET_ENGINES.some((engine) => BUILTINS[engine].has(name));
}
