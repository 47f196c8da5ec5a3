/**
 * The built probe image in QuickJS: it boots, echoes radio writes, runs timers, keeps to
 * the one-global contract, and guest faults (exceptions, runaway loops) are reported to
 * the host instead of crashing it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Bytes, Hal } from '../../firmware/hal.ts';
import { lowerToEs5 } from '../../tools/image/lower.ts';
import { minifyEs5 } from '../../tools/image/bundle.ts';
import { buildImage } from '../../tools/image/pipeline.ts';
import { PROBE_ENTRY } from '../../harness/images.ts';
import { generateVendorKey } from '../../tools/image/vendor-key.ts';
import { bootInQuickJS, loadQuickJS, type GuestFault, type QuickJSBand } from '../../sim/engine/quickjs-host.ts';
import { HAL_METHODS, type Sig } from '../../sim/engine/quickjs-hal-bridge.ts';

/** A recording Hal: enough for the probe and for fault tests; timers fire on demand. */
function recordingHal() {
  const rec = {
    shown: [] as string[][],
    notified: [] as Bytes[],
    logs: [] as string[],
    timers: new Map<number, { ms: number; fn: () => void }>(),
    onWrite: undefined as ((d: Bytes) => void) | undefined,
    onPress: undefined as (() => void) | undefined,
    nextTimer: 1,
  };
  const hal: Hal = {
    clock: {
      monotonicMs: () => 1234,
      wallMs: () => 1_700_000_000_000,
      setTimer: (ms, fn) => {
        const id = rec.nextTimer++;
        rec.timers.set(id, { ms, fn });
        return id;
      },
      cancelTimer: (id) => void rec.timers.delete(id),
    },
    random: { bytes: (n) => new Uint8Array(n).map((_, i) => i) },
    se: {
      slotCount: 3,
      hasKey: () => false,
      generate: () => {},
      erase: () => {},
      publicKey: () => null,
      sign: () => null,
      ecdh: () => null,
      verify: () => false,
      isValidPublic: () => false,
    },
    hash: { sha256: () => new Uint8Array(32), hmacSha256: () => new Uint8Array(32) },
    aead: { seal: (_k, _n, _a, p) => p, open: () => null },
    flash: {
      pageSize: 4096,
      pageCount: 8,
      read: (_p, _o, len) => new Uint8Array(len).fill(0xff),
      erase: () => {},
      program: () => {
        throw new Error('NOR rule violated');
      },
    },
    wear: { onSample: () => {}, current: () => true },
    charger: { onChange: () => {}, isCharging: () => false, batteryPercent: () => -1 },
    button: {
      onPress: (fn) => {
        rec.onPress = fn;
      },
    },
    haptics: { buzz: () => {} },
    display: { lines: 3, columns: 20, show: (lines) => void rec.shown.push(lines) },
    radio: {
      onConnect: () => {},
      onDisconnect: () => {},
      onWrite: (fn) => {
        rec.onWrite = fn;
      },
      notify: (d) => void rec.notified.push(d),
      setInfo: () => {},
      mtu: () => 23,
      setIdentityKey: () => {},
      newAddress: () => {},
    },
    log: { log: (m) => void rec.logs.push(m) },
  };
  const fireTimers = () => {
    for (const [id, t] of [...rec.timers]) {
      rec.timers.delete(id);
      t.fn();
    }
  };
  return { hal, rec, fireTimers };
}

/** Lowers and minifies a small guest script the way the image pipeline does. */
async function es5(source: string): Promise<string> {
  return minifyEs5(lowerToEs5(source, 'band.js', { stripDetails: false }));
}

let probe: string;
const bands: QuickJSBand[] = [];
function boot(code: string, hal: Hal, onFault?: (f: GuestFault) => void, interruptBudget?: number): QuickJSBand {
  const band = bootInQuickJS(code, hal, { onFault, interruptBudget });
  bands.push(band);
  return band;
}

beforeAll(async () => {
  await loadQuickJS();
  const built = await buildImage({
    entry: PROBE_ENTRY,
    version: { major: 0, minor: 1, patch: 0 },
    key: generateVendorKey(),
  });
  probe = built.code;
});

afterEach(() => {
  for (const b of bands.splice(0)) b.dispose();
});

describe('probe image in QuickJS', () => {
  it('boots: shows its banner, logs, arms a timer and answers status()', () => {
    const { hal, rec } = recordingHal();
    const band = boot(probe, hal);
    expect(band.booted).toBe(true);
    expect(band.faults).toEqual([]);
    expect(rec.shown[0]).toEqual(['wristpay probe', '20x3', 'booted']);
    expect(rec.logs).toEqual(['probe booted at 1234 ms']);
    expect(rec.timers.size).toBe(1);
    expect(JSON.parse(band.evalStatus())).toEqual({ probe: true, ticks: 0, frames: 0, bytes: 0, lastSum: 0 });
  });

  it('echoes radio writes byte for byte, as fresh Uint8Arrays', () => {
    const { hal, rec } = recordingHal();
    const band = boot(probe, hal);
    const frame = new Uint8Array([0x83, 0x00, 0x03, 0xde, 0xad, 0xbe]);
    rec.onWrite!(frame);
    rec.onWrite!(frame.subarray(3));
    expect(rec.notified.map((b) => [...b])).toEqual([[...frame], [0xde, 0xad, 0xbe]]);
    expect(rec.notified[0]).toBeInstanceOf(Uint8Array);
    expect(rec.notified[0]).not.toBe(frame);
    expect(JSON.parse(band.evalStatus())).toMatchObject({ frames: 2, bytes: 9, lastSum: 0xde + 0xad + 0xbe });
  });

  it('runs timers registered by the guest and frees them after they fire', () => {
    const { hal, rec, fireTimers } = recordingHal();
    const band = boot(probe, hal);
    rec.onWrite!(new Uint8Array([1]));
    fireTimers();
    expect(rec.shown.at(-1)).toEqual(['wristpay probe', '20x3', 'ticks 1 frames 1']);
    expect(JSON.parse(band.evalStatus()).ticks).toBe(1);
  });

  it("defines no global but wristpay (hal is the host's)", async () => {
    const { hal } = recordingHal();
    const band = boot(probe, hal);
    const names = band.debugEval('Object.getOwnPropertyNames(this)') as string[];
    const fresh = boot('', recordingHal().hal).debugEval('Object.getOwnPropertyNames(this)') as string[];
    expect(names.filter((n) => !fresh.includes(n))).toEqual(['wristpay']);
  });

  it('binds opts.config as the wristpayConfig global before the image runs', () => {
    const withConfig = bootInQuickJS('var seen = wristpayConfig.removalDebounceMs;', recordingHal().hal, {
      config: { removalDebounceMs: 250 },
    });
    bands.push(withConfig);
    expect(withConfig.debugEval('seen')).toBe(250);
  });

  it('reports a plausible heap figure', () => {
    const { hal } = recordingHal();
    const band = boot(probe, hal);
    const used = band.memoryUsed();
    console.log(`QuickJS memory used after probe boot: ${used} bytes`);
    expect(used).toBeGreaterThan(20_000);
    expect(used).toBeLessThan(2_000_000);
  });
});

describe('guest faults', () => {
  it('reports an exception thrown in a guest callback and keeps the host running', async () => {
    const { hal, rec } = recordingHal();
    const faults: GuestFault[] = [];
    const code = await es5(
      `hal.radio.onWrite(function (d) { if (d[0] === 1) throw new Error('bad frame'); hal.radio.notify(d); });`,
    );
    const band = boot(code, hal, (f) => faults.push(f));
    rec.onWrite!(new Uint8Array([1]));
    rec.onWrite!(new Uint8Array([2]));
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ kind: 'exception', where: 'radio.onWrite' });
    expect(faults[0].message).toContain('bad frame');
    expect(rec.notified.map((b) => [...b])).toEqual([[2]]);
    expect(band.faults).toHaveLength(1);
  });

  it('stops a runaway event with the watchdog and reports it once', async () => {
    const { hal, rec } = recordingHal();
    const faults: GuestFault[] = [];
    const code =
      await es5(`hal.button.onPress(function () { try { for (;;) {} } catch (e) { hal.log.log('swallowed'); } });
      hal.radio.onWrite(function (d) { hal.radio.notify(d); });`);
    const band = boot(code, hal, (f) => faults.push(f), 50);
    rec.onPress!();
    expect(faults.map((f) => [f.kind, f.where])).toEqual([['watchdog', 'button.onPress']]);
    expect(rec.logs).toEqual([]); // the interrupt cannot be caught by the guest
    rec.onWrite!(new Uint8Array([7])); // the next event gets a fresh budget
    expect(rec.notified.map((b) => [...b])).toEqual([[7]]);
    expect(band.booted).toBe(true);
  });

  it('reports a boot failure instead of throwing', () => {
    const { hal } = recordingHal();
    const faults: GuestFault[] = [];
    const band = boot('hal.nope.call()', hal, (f) => faults.push(f));
    expect(band.booted).toBe(false);
    expect(faults[0]).toMatchObject({ kind: 'exception', where: 'boot' });
  });

  it("runs as a band engine: the profile's intrinsics only, no function source or line tables", () => {
    const { hal } = recordingHal();
    const band = boot('wristpay = { status: function () { return "{}"; } };', hal);
    const builtIns = 'typeof Date + typeof RegExp + typeof Proxy + typeof Promise + typeof Map';
    expect(band.debugEval(builtIns)).toBe('undefined'.repeat(5));
    expect(band.debugEval('typeof JSON.stringify + typeof Uint8Array + typeof Math.max')).toBe(
      'functionfunctionfunction',
    );
    expect(band.debugEval('(function probe() { return 40 + 2; }).toString()')).not.toContain('40 + 2');
  });

  it('keeps function source for a developer who asks for debugInfo', () => {
    const { hal } = recordingHal();
    const band = bootInQuickJS('wristpay = { status: function () { return "{}"; } };', hal, { debugInfo: true });
    bands.push(band);
    expect(band.debugEval('(function probe() { return 40 + 2; }).toString()')).toContain('40 + 2');
  });

  it('turns host HAL exceptions and bad argument types into guest exceptions', async () => {
    const { hal } = recordingHal();
    const code = await es5(`var r = [];
      try { hal.flash.program(0, 0, new Uint8Array([0])); } catch (e) { r.push(e.message); }
      try { hal.radio.notify([1, 2]); } catch (e) { r.push(e.name); }
      try { hal.random.bytes('4'); } catch (e) { r.push(e.name); }
      wristpay = { status: function () { return JSON.stringify(r); } };`);
    const band = boot(code, hal);
    expect(JSON.parse(band.evalStatus())).toEqual(['hal.flash.program: NOR rule violated', 'TypeError', 'TypeError']);
  });

  it('passes bytes both ways and returns null for nullable HAL results', async () => {
    const { hal } = recordingHal();
    const code = await es5(`var b = hal.random.bytes(4), view = new Uint8Array(8);
      view.set([9, 9, 1, 2, 3, 9], 0);
      var h = hal.hash.sha256(view.subarray(2, 5));
      wristpay = { status: function () { return JSON.stringify([b instanceof Uint8Array, b.length, b[3], h.length, hal.se.publicKey(0), hal.flash.pageSize]); } };`);
    const band = boot(code, hal);
    expect(JSON.parse(band.evalStatus())).toEqual([true, 4, 3, 32, null, 4096]);
  });

  it('lets firmware classes extend Error in ES5 (instanceof, message, name)', async () => {
    const { hal } = recordingHal();
    const code =
      await es5(`class E extends Error { constructor(m, code) { super(m); this.name = 'E'; this.code = code; } }
      let out;
      try { throw new E('boom', 7); } catch (e) { out = [e instanceof E, e instanceof Error, e.message, e.name, e.code, String(e)]; }
      wristpay = { status: () => JSON.stringify(out) };`);
    const band = boot(code, hal);
    expect(JSON.parse(band.evalStatus())).toEqual([true, true, 'boom', 'E', 7, 'E: boom']);
  });

  it('wires every Hal method, with arguments and results converted by kind', async () => {
    const calls: string[] = [];
    const listeners: Record<string, (arg?: unknown) => void> = {};
    const show = (v: unknown) =>
      v instanceof Uint8Array ? `u8[${[...v]}]` : typeof v === 'function' ? 'fn' : JSON.stringify(v);
    const results: Record<string, unknown> = { n: 7, b: true, y: new Uint8Array([1, 2]), 'y?': null, v: undefined };
    const hal: Record<string, Record<string, unknown>> = {};
    for (const [group, methods] of Object.entries(HAL_METHODS)) {
      hal[group] = { slotCount: 3, pageSize: 256, pageCount: 4, lines: 2, columns: 16 };
      for (const [method, [, ret]] of Object.entries(methods as Record<string, Sig>)) {
        hal[group][method] = (...args: unknown[]) => {
          calls.push(`${group}.${method}(${args.map(show).join(',')})`);
          for (const a of args)
            if (typeof a === 'function') listeners[`${group}.${method}`] = a as (arg?: unknown) => void;
          return results[ret];
        };
      }
    }
    const code = await es5(`var seen = [], b = new Uint8Array([9, 8]);
      function note(tag) { return function (x) { seen.push(tag + ':' + (x instanceof Uint8Array ? 'u8[' + Array.prototype.join.call(x) + ']' : typeof x + '=' + x)); }; }
      var r = [hal.clock.monotonicMs(), hal.clock.wallMs(), hal.clock.setTimer(5, note('timer')), hal.clock.cancelTimer(1),
        hal.random.bytes(2), hal.se.hasKey(0), hal.se.generate(1), hal.se.erase(2), hal.se.publicKey(0), hal.se.sign(0, b),
        hal.se.ecdh(1, b), hal.se.verify(b, b, b), hal.se.isValidPublic(b), hal.hash.sha256(b), hal.hash.hmacSha256(b, b),
        hal.aead.seal(b, b, b, b), hal.aead.open(b, b, b, b), hal.flash.read(0, 1, 2), hal.flash.erase(3), hal.flash.program(0, 0, b),
        hal.wear.onSample(note('sample')), hal.wear.current(), hal.charger.onChange(note('charge')), hal.charger.isCharging(), hal.charger.batteryPercent(),
        hal.button.onPress(note('press')), hal.haptics.buzz(30), hal.display.show(['a', 'b']), hal.radio.onConnect(note('connect')),
        hal.radio.onDisconnect(note('disconnect')), hal.radio.onWrite(note('write')), hal.radio.notify(b), hal.radio.setInfo(b),
        hal.radio.mtu(), hal.radio.setIdentityKey(b), hal.radio.newAddress(), hal.log.log('hi'), hal.se.slotCount, hal.flash.pageSize, hal.flash.pageCount, hal.display.lines, hal.display.columns];
      wristpay = { status: function () { return JSON.stringify({ r: r.map(function (v) { return v instanceof Uint8Array ? 'u8' : v; }), seen: seen }); } };`);
    const band = boot(code, hal as unknown as Hal);
    expect(band.faults).toEqual([]);
    const wired = Object.entries(HAL_METHODS).flatMap(([g, ms]) => Object.keys(ms).map((m) => `${g}.${m}`));
    expect(calls.map((c) => c.slice(0, c.indexOf('('))).sort()).toEqual(wired.sort());
    expect(calls).toContain('se.sign(0,u8[9,8])');
    expect(calls).toContain('display.show(["a","b"])');
    expect(calls).toContain('clock.setTimer(5,fn)');
    expect(calls).toContain('radio.setIdentityKey(u8[9,8])');
    listeners['wear.onSample'](true);
    listeners['charger.onChange'](false);
    listeners['button.onPress']();
    listeners['radio.onConnect'](185);
    listeners['radio.onDisconnect']();
    listeners['radio.onWrite'](new Uint8Array([4, 5]));
    listeners['clock.setTimer']();
    const { r, seen } = JSON.parse(band.evalStatus());
    expect(r).toEqual([
      7,
      7,
      7,
      null,
      'u8',
      true,
      null,
      null,
      null,
      null,
      null,
      true,
      true,
      'u8',
      'u8',
      'u8',
      null,
      'u8',
      null,
      null,
      null,
      true,
      null,
      true,
      7,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      7,
      null,
      null,
      null,
      3,
      256,
      4,
      2,
      16,
    ]);
    expect(seen).toEqual([
      'sample:boolean=true',
      'charge:boolean=false',
      'press:undefined=undefined',
      'connect:number=185',
      'disconnect:undefined=undefined',
      'write:u8[4,5]',
      'timer:undefined=undefined',
    ]);
  });
});
