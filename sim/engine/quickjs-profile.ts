/**
 * The band's QuickJS configuration: what a device build of QuickJS carries, applied to the
 * quickjs-emscripten runtime that the simulator, the tests and the bench boot images in.
 *
 * - Intrinsics: only what the image profile allows (tools/image/es5-check.ts): the base
 *   objects, eval (to load the image), JSON and typed arrays. No Date, RegExp, Proxy,
 *   Map/Set or Promise: the image may not use them, so the band does not pay for them.
 *   (This QuickJS puts BigInt among the base objects; the image profile still refuses it.)
 * - No debug info: `JS_SetStripInfo(rt, JS_STRIP_SOURCE | JS_STRIP_DEBUG)`, what `qjsc -s`
 *   does for a device image. Without it QuickJS keeps every live function's source text (for
 *   Function.prototype.toString) and its line table — about 75 KB for our image, more than
 *   the code itself. Guest stack traces then carry no line numbers.
 *
 * quickjs-emscripten 0.32 binds neither JS_SetStripInfo nor any way to read bytecode, so the
 * host sets the runtime's `strip_flags` byte itself. The byte is found from the fields that
 * follow it in `struct JSRuntime` (quickjs.c 2025-09-13: `uint8_t strip_flags;` then
 * `int shape_hash_bits; int shape_hash_size;` with size = 1 << bits), must be unique, and is
 * proven by behaviour (a function's toString loses its source) before any band uses it. A
 * QuickJS upgrade that moves the field fails loudly here instead of measuring the wrong thing.
 */
import type { QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';

/** quickjs.h: JS_STRIP_SOURCE (1 << 0) | JS_STRIP_DEBUG (1 << 1). */
const STRIP_SOURCE_AND_DEBUG = 3;
/** How far into struct JSRuntime to look (the field sits at about 230 bytes in wasm32). */
const SEARCH_BYTES = 1024;

/** The intrinsics of a band context (quickjs-emscripten's `intrinsics` option). */
export const BAND_INTRINSICS = { BaseObjects: true, Eval: true, JSON: true, TypedArrays: true } as const;

/** What quickjs-emscripten exposes at runtime but does not type: the wasm heap and the runtime pointer. */
interface Internals {
  heap: Uint8Array;
  pointer: number;
}

function internalsOf(module: QuickJSWASMModule, rt: QuickJSRuntime): Internals {
  const heap = (module as unknown as { module?: { HEAPU8?: Uint8Array } }).module?.HEAPU8;
  const pointer = (rt as unknown as { rt?: { value?: number } }).rt?.value;
  if (!(heap instanceof Uint8Array) || typeof pointer !== 'number')
    throw new Error('QuickJS profile: this quickjs-emscripten exposes no wasm heap or runtime pointer');
  return { heap, pointer };
}

/** Offsets (from the runtime pointer) that look like strip_flags: 0, 3 zero bytes of padding, then bits and 1 << bits. */
function candidateOffsets({ heap, pointer }: Internals): number[] {
  const view = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
  const found: number[] = [];
  for (let o = 4; o + 8 <= SEARCH_BYTES; o += 4) {
    const bits = view.getInt32(pointer + o, true);
    if (bits < 1 || bits > 30 || view.getInt32(pointer + o + 4, true) !== 1 << bits) continue;
    if (view.getUint32(pointer + o - 4, true) !== 0) continue; // strip_flags (0 = keep all) and padding
    found.push(o - 4);
  }
  return found;
}

const located = new WeakMap<QuickJSWASMModule, number>();

/** Finds strip_flags in a throwaway runtime of `module` and proves it by behaviour. */
function locateStripFlags(module: QuickJSWASMModule): number {
  const known = located.get(module);
  if (known !== undefined) return known;
  const rt = module.newRuntime();
  try {
    const internals = internalsOf(module, rt);
    const offsets = candidateOffsets(internals);
    if (offsets.length !== 1)
      throw new Error(
        `QuickJS profile: expected one strip_flags candidate in struct JSRuntime, found ${offsets.length}`,
      );
    internals.heap[internals.pointer + offsets[0]] = STRIP_SOURCE_AND_DEBUG;
    const ctx = rt.newContext();
    try {
      const text = ctx.dump(
        ctx.unwrapResult(ctx.evalCode('(function probe() { return 40 + 2; }).toString()')),
      ) as unknown;
      if (typeof text !== 'string' || text.includes('40 + 2'))
        throw new Error('QuickJS profile: setting strip_flags did not strip function source');
    } finally {
      ctx.dispose();
    }
    located.set(module, offsets[0]);
    return offsets[0];
  } finally {
    rt.dispose();
  }
}

/** Applies JS_SetStripInfo(JS_STRIP_SOURCE | JS_STRIP_DEBUG) to a fresh runtime, before any code is compiled. */
export function stripDebugInfo(module: QuickJSWASMModule, rt: QuickJSRuntime): void {
  const offset = locateStripFlags(module);
  const internals = internalsOf(module, rt);
  if (!candidateOffsets(internals).includes(offset))
    throw new Error('QuickJS profile: this runtime does not have the layout the probe found');
  internals.heap[internals.pointer + offset] = STRIP_SOURCE_AND_DEBUG;
}
