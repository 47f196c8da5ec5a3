/**
 * The story script of ./engine-run.ts in QuickJS, in process: a runtime configured as the band's
 * (sim/engine/quickjs-profile.ts: no debug info, the profile's intrinsics) plus Date for the
 * scenario's clock, `print` bound to the host, and for the 'host' HAL, SHA-256 and HMAC from
 * node:crypto as host functions — what a secure element or a native crypto module would be.
 * Memory is the runtime's "memory used" (dumpMemoryUsage) when the script has run.
 */
import { createHash, createHmac } from 'node:crypto';
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten';
import { loadQuickJS } from '../../sim/engine/quickjs-host.ts';
import { BAND_INTRINSICS, stripDebugInfo } from '../../sim/engine/quickjs-profile.ts';
import { type EngineResult, type HalCrypto, readStoryOutput, type StoryBundle, storyScript } from './engine-run.ts';

export const QUICKJS = 'QuickJS';

/** The guest side of the host hashing: bytes cross as ArrayBuffers. */
const HOST_CRYPTO = `var hostSha256 = function (d) { return new Uint8Array(hostDigest(hostCopy(d))); };
var hostHmacSha256 = function (k, d) { return new Uint8Array(hostMac(hostCopy(k), hostCopy(d))); };
var hostCopy = function (b) { return b.buffer.slice(b.byteOffset, b.byteOffset + b.length); };`;

function bytesOf(ctx: QuickJSContext, h: QuickJSHandle): Buffer {
  const view = ctx.getArrayBuffer(h);
  try {
    return Buffer.from(view.value);
  } finally {
    view.dispose();
  }
}

function bindHost(ctx: QuickJSContext, lines: string[]): void {
  const fns: Record<string, (...args: QuickJSHandle[]) => QuickJSHandle | undefined> = {
    print: (...args) => {
      lines.push(args.map((a) => String(ctx.dump(a))).join(' '));
      return undefined;
    },
    hostDigest: (d) =>
      ctx.newArrayBuffer(Uint8Array.from(createHash('sha256').update(bytesOf(ctx, d)).digest()).buffer),
    hostMac: (k, d) =>
      ctx.newArrayBuffer(
        Uint8Array.from(createHmac('sha256', bytesOf(ctx, k)).update(bytesOf(ctx, d)).digest()).buffer,
      ),
  };
  for (const [name, fn] of Object.entries(fns)) {
    const handle = ctx.newFunction(name, fn);
    ctx.setProp(ctx.global, name, handle);
    handle.dispose();
  }
}

/** Runs the story script in a fresh QuickJS runtime; an exception is a result with its message. */
export async function runQuickJS(bundle: StoryBundle, crypto: HalCrypto): Promise<EngineResult> {
  const module = await loadQuickJS();
  const rt = module.newRuntime();
  stripDebugInfo(module, rt);
  const ctx = rt.newContext({ intrinsics: { ...BAND_INTRINSICS, Date: true } });
  const lines: string[] = [];
  try {
    bindHost(ctx, lines);
    const t = performance.now();
    const r = ctx.evalCode(storyScript(bundle, crypto === 'host' ? HOST_CRYPTO : ''), 'story.js');
    const wallMs = performance.now() - t;
    if (r.error) {
      lines.push(`exception: ${JSON.stringify(ctx.dump(r.error))}`);
      r.error.dispose();
    } else r.value.dispose();
    const used = /memory used\s+\d+\s+(\d+)/.exec(rt.dumpMemoryUsage());
    const memory = used ? `${Number(used[1]).toLocaleString('en')} B used at the end` : null;
    return readStoryOutput(QUICKJS, crypto, lines.join('\n'), memory, wallMs);
  } finally {
    ctx.dispose();
    rt.dispose();
  }
}
