/**
 * Heap and CPU of the real image in QuickJS over many payments (./engine-story.ts payMany),
 * shared by test/engines/quickjs-scenario.test.ts and scripts/bench/firmware.ts.
 *
 * Heap is QuickJSBand.memoryUsed() ("memory used" of dumpMemoryUsage: requested bytes plus
 * 8 per allocation), exact and deterministic for a given image and seed. quickjs-emscripten
 * 0.32 exposes no way to force a GC (no JS_RunGC binding), and none is needed: the figures
 * repeat to the byte.
 */
import type { BandStatus } from '../../firmware/boot.ts';
import { NO_BUTTON_LIMITS, payMany, setUp } from './engine-story.ts';
import { quickjsFixture, timedHal, type HalTimer } from './quickjs-band.ts';

export interface HeapRun {
  /** Engine + HAL bridge, before the image ran. */
  baseline: number;
  afterBoot: number;
  /** Enrolled, two cards, worn and unlocked. */
  afterSetUp: number;
  /** memoryUsed() after each checkpoint's number of payments. */
  afterPayments: Record<number, number>;
  /** Bytes the ledger record's integers take in CBOR at each checkpoint (see ledgerIntBytes). */
  ledgerIntBytes: Record<number, number>;
  faults: string[];
}

/** Length of a CBOR unsigned integer (head included). */
function cborUintBytes(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9;
}

/**
 * The integers of the ledger record (firmware/core/band-store.ts: per card counter and
 * balance, the day and the day total), in CBOR bytes. The journal keeps the current
 * record in RAM, so the heap legitimately grows by one byte when, say, a counter reaches 24.
 */
export function ledgerIntBytes(s: BandStatus): number {
  let n = cborUintBytes(s.dayTotal.day) + cborUintBytes(s.dayTotal.total);
  for (const c of s.cards) n += cborUintBytes(c.counter) + cborUintBytes(c.balance ?? 0);
  return n;
}

export interface HeapOptions {
  checkpoints: number[];
  /** Virtual ms between payments: 0 keeps every challenge nonce in the replay memory (worst case). */
  gapMs: number;
  seed?: number;
}

/** Boots the image, sets the band up (no-button limits) and pays up to the last checkpoint. */
export async function measureHeap(code: string, opts: HeapOptions): Promise<HeapRun> {
  const f = await quickjsFixture(code, { seed: opts.seed ?? 11 });
  const engine = f.port.booted.engine;
  // Every figure is taken right after a status() call: the first one leaves 64 bytes behind
  // for good (QuickJS's first evaluation of the status script), which is not per payment.
  f.port.status();
  const run: HeapRun = {
    baseline: engine.memoryBaseline,
    afterBoot: engine.memoryUsed(),
    afterSetUp: 0,
    afterPayments: {},
    ledgerIntBytes: {},
    faults: [],
  };
  try {
    setUp(f, NO_BUTTON_LIMITS);
    f.port.status();
    run.afterSetUp = engine.memoryUsed();
    let done = 0;
    for (const at of [...opts.checkpoints].sort((a, b) => a - b)) {
      payMany(f, at - done, { gapMs: opts.gapMs });
      done = at;
      run.ledgerIntBytes[at] = ledgerIntBytes(f.port.status());
      run.afterPayments[at] = engine.memoryUsed();
    }
  } finally {
    run.faults = engine.faults.map((x) => x.message);
    engine.dispose();
  }
  return run;
}

export interface CpuRun {
  payments: number;
  /** Host wall ms around the guest call (the challenge's radio writes), per payment. */
  msPerPayment: number;
  /** Of that, ms inside host HAL calls (soft secure element P-256, ChaCha20-Poly1305, flash). */
  halMsPerPayment: number;
  /** The rest: QuickJS running the firmware, plus the bridge's marshalling. */
  guestMsPerPayment: number;
  halCallsPerPayment: number;
  /** QuickJS interrupt-handler polls per payment (about one per 10k guest operations). */
  interruptPollsPerPayment: number;
}

/** CPU per payment of the image in QuickJS, after `warmup` payments. */
export async function measureCpu(code: string, payments: number, warmup = 5): Promise<CpuRun> {
  let timer: HalTimer | undefined;
  const f = await quickjsFixture(code, {
    seed: 12,
    boot: {
      wrapHal: (hal) => {
        timer = timedHal(hal);
        return timer.hal;
      },
    },
  });
  const engine = f.port.booted.engine;
  try {
    setUp(f, NO_BUTTON_LIMITS);
    payMany(f, warmup, { gapMs: 61000 });
    let ms = 0;
    let halMs = 0;
    let halCalls = 0;
    const polls0 = engine.interruptPolls;
    payMany(f, payments, {
      gapMs: 61000,
      aroundSend: (send) => {
        timer!.reset();
        const t = performance.now();
        send();
        ms += performance.now() - t;
        halMs += timer!.ms;
        halCalls += timer!.calls;
      },
    });
    if (engine.faults.length > 0) throw new Error('guest faults: ' + engine.faults.map((x) => x.message).join('; '));
    const round = (x: number) => Math.round(x * 1000) / 1000;
    return {
      payments,
      msPerPayment: round(ms / payments),
      halMsPerPayment: round(halMs / payments),
      guestMsPerPayment: round((ms - halMs) / payments),
      halCallsPerPayment: round(halCalls / payments),
      interruptPollsPerPayment: round((engine.interruptPolls - polls0) / payments),
    };
  } finally {
    engine.dispose();
  }
}
