/**
 * The real band image (firmware/main.ts through the whole pipeline, as `npm run build`
 * makes it, but in memory and without the budget gate) booted in QuickJS on the test
 * environment's HAL, behind the same driver and flows as the in-process band
 * (./band-driver.ts, ./band-flows.ts). Shared by test/engines and scripts/bench/firmware.ts.
 */
import { readFileSync } from 'node:fs';
import type { BandStatus } from '../../firmware/boot.ts';
import type { BandConfig } from '../../firmware/config.ts';
import type { Hal } from '../../firmware/hal.ts';
import { parseFirmwareVersion } from '../../tools/image/pack.ts';
import { buildImage, MAIN_ENTRY, type BuildResult } from '../../tools/image/pipeline.ts';
import { generateVendorKey } from '../../tools/image/vendor-key.ts';
import {
  bootInQuickJS,
  loadQuickJS,
  type QuickJSBand,
  type QuickJSBandOptions,
} from '../../sim/engine/quickjs-host.ts';
import { EngineBandDriver, type BandHandle, type BootFn, type DriverOptions } from './band-driver.ts';
import { BandFlows } from './band-flows.ts';
import { CheckoutDouble } from './checkout-double.ts';

const ROOT = new URL('../../', import.meta.url);

/**
 * Builds firmware/main.ts as scripts/build-image.ts does: package.json's version, the
 * pipeline of tools/image/. Signed with a throwaway development key (the key changes
 * only the signature bytes, never the code or any size), so tests leave .keys/ alone.
 */
export async function buildRealImage(): Promise<BuildResult> {
  const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string };
  const entry = new URL(MAIN_ENTRY, ROOT).pathname;
  return buildImage({ entry, version: parseFirmwareVersion(pkg.version), key: generateVendorKey(true) });
}

/** Time spent in host HAL calls (the soft secure element's P-256, ChaCha, flash) since `reset`. */
export interface HalTimer {
  hal: Hal;
  /** Host milliseconds spent inside HAL methods. */
  ms: number;
  /** HAL method calls. */
  calls: number;
  reset(): void;
}

/** Wraps every HAL method to measure the host's share of a guest event. */
export function timedHal(hal: Hal): HalTimer {
  const timer: HalTimer = {
    hal: {} as Hal,
    ms: 0,
    calls: 0,
    reset() {
      timer.ms = 0;
      timer.calls = 0;
    },
  };
  for (const group of Object.keys(hal) as Array<keyof Hal>) {
    const source = hal[group] as unknown as Record<string, unknown>;
    const wrapped: Record<string, unknown> = {};
    let proto: object | null = source;
    const names = new Set<string>();
    while (proto && proto !== Object.prototype) {
      for (const n of Object.getOwnPropertyNames(proto)) names.add(n);
      proto = Object.getPrototypeOf(proto) as object | null;
    }
    for (const name of names) {
      if (name === 'constructor') continue;
      const v = source[name];
      if (typeof v !== 'function') {
        wrapped[name] = v;
        continue;
      }
      wrapped[name] = (...args: unknown[]) => {
        const t = performance.now();
        try {
          return (v as (...a: unknown[]) => unknown).apply(source, args);
        } finally {
          timer.ms += performance.now() - t;
          timer.calls++;
        }
      };
    }
    (timer.hal as unknown as Record<string, unknown>)[group] = wrapped;
  }
  return timer;
}

/** A QuickJS band as the driver sees it; `engine` for heap, faults and polls. */
export interface QuickJSBandHandle extends BandHandle {
  engine: QuickJSBand;
}

export interface QuickJSBootOptions extends Omit<QuickJSBandOptions, 'config'> {
  /** Binds this instead of the HAL the driver passes (e.g. timedHal(env.hal).hal). */
  wrapHal?: (hal: Hal) => Hal;
}

/** Boots `code` in a fresh QuickJS runtime per boot; call `await loadQuickJS()` first. */
export function quickjsBoot(code: string, opts: QuickJSBootOptions = {}): BootFn<QuickJSBandHandle> {
  return (hal: Hal, config?: Partial<BandConfig>) => {
    const engine = bootInQuickJS(code, opts.wrapHal ? opts.wrapHal(hal) : hal, { ...opts, config });
    if (!engine.booted)
      throw new Error('image did not boot in QuickJS: ' + engine.faults.map((f) => f.message).join('; '));
    return {
      engine,
      status: (): BandStatus => JSON.parse(engine.evalStatus()) as BandStatus,
      dispose: () => engine.dispose(),
    };
  };
}

export type QuickJSDriver = EngineBandDriver<QuickJSBandHandle>;
export type QuickJSFixture = BandFlows<QuickJSDriver, CheckoutDouble>;

/** A QuickJS band on a fresh test environment, with a host checkout double. */
export async function quickjsFixture(
  code: string,
  opts: DriverOptions & { boot?: QuickJSBootOptions } = {},
  mtu = 185,
): Promise<QuickJSFixture> {
  await loadQuickJS();
  return new BandFlows(new EngineBandDriver(quickjsBoot(code, opts.boot), opts, mtu), new CheckoutDouble());
}
