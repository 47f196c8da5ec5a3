/**
 * What an engine run reports after the story (harness/engines/engine-run.ts reads it): the time
 * of `n` steady payments, whole (the checkout's part runs in the same engine) and the band's
 * own part (the challenge's radio writes: the band opens, checks, commits, signs, answers),
 * and the engine's own memory figure where the engine has one the script can read.
 */
import { payMany, setUp, type StoryFlows } from '../../band/engine-story.ts';

/** Espruino's process.memory(): variable slots (blocks of `blocksize` bytes) after a GC. */
interface EspruinoMemory {
  usage: number;
  total: number;
  blocksize: number;
}
declare const process: { memory?: () => EspruinoMemory } | undefined;
/** Espruino's live slots once the HAL was set up and once the image had booted (../engine-run.ts). */
declare const storySlots: number[] | undefined;
/** Espruino's high-resolution clock, in seconds; the other engines have Date.now(). */
declare const getTime: (() => number) | undefined;

/** Each step of the story that passed prints this and its index (STORY_STEPS). */
export const STEP_LINE = 'STEP ';
/** The timed payments print this and then a PaymentRun as JSON. */
export const PAYMENTS_LINE = 'PAYMENTS ';

export interface PaymentRun {
  /** The HAL hashed with the host's SHA-256 (halctl.hostCrypto), not its own JavaScript. */
  nativeHashing: boolean;
  payments: number;
  msPerPayment: number;
  bandMsPerPayment: number;
  /** Espruino only: live variable slots, the peak sampled after a GC at every radio exchange of the story. */
  slots: {
    afterHal: number;
    afterBoot: number;
    peak: number;
    afterPayments: number;
    total: number;
    blockBytes: number;
  } | null;
}

/** Milliseconds from the best clock the engine has. */
export function engineNow(): number {
  return typeof getTime === 'function' ? getTime() * 1000 : Date.now();
}

function espruinoMemory(): EspruinoMemory | null {
  return typeof process !== 'undefined' && process && typeof process.memory === 'function' ? process.memory() : null;
}

/**
 * A sampler of Espruino's live slots (a no-op elsewhere), to call at every radio exchange of
 * the story. Each sample runs a GC, so the timed payments do not sample (stop() first).
 */
export function slotSampler(): { sample(): void; stop(): void; peak(): number } {
  let peak = 0;
  let on = true;
  return {
    sample() {
      const m = on ? espruinoMemory() : null;
      if (m && m.usage > peak) peak = m.usage;
    },
    stop() {
      on = false;
    },
    peak: () => peak,
  };
}

/** Sets the band up again (the story ends wiped), then times `n` payments. */
export function timePayments(f: StoryFlows, n: number, nativeHashing: boolean, peakSlots: () => number): PaymentRun {
  setUp(f);
  let bandMs = 0;
  const start = engineNow();
  payMany(f, n, {
    aroundSend(send) {
      const t = engineNow();
      send();
      bandMs += engineNow() - t;
    },
  });
  const totalMs = engineNow() - start;
  const m = espruinoMemory();
  return {
    nativeHashing,
    payments: n,
    msPerPayment: totalMs / n,
    bandMsPerPayment: bandMs / n,
    slots: m
      ? {
          afterHal: typeof storySlots !== 'undefined' ? storySlots[0] : 0,
          afterBoot: typeof storySlots !== 'undefined' ? storySlots[1] : 0,
          peak: peakSlots(),
          afterPayments: m.usage,
          total: m.total,
          blockBytes: m.blocksize,
        }
      : null,
  };
}
