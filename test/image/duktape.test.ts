/**
 * The built probe image under Duktape 2.7 (`duk`), the profile's strictest engine.
 * Needs duk (test/support/requirements.ts: fails in CI without it, skips elsewhere).
 */
import { beforeAll, expect, it } from 'vitest';
import { minifyEs5 } from '../../tools/image/bundle.ts';
import { lowerToEs5 } from '../../tools/image/lower.ts';
import { buildImage } from '../../tools/image/pipeline.ts';
import { PROBE_ENTRY } from '../../harness/images.ts';
import { generateVendorKey } from '../../tools/image/vendor-key.ts';
import { PROBE_ECHO_SCENARIO, SCENARIO_OK, runInDuktape } from '../../harness/engines/duktape-runner.ts';
import { needs, requirements } from '../support/requirements.ts';

needs(requirements.duk).describe('probe image under duk', () => {
  let probe: string;
  beforeAll(async () => {
    probe = (
      await buildImage({ entry: PROBE_ENTRY, version: { major: 0, minor: 1, patch: 0 }, key: generateVendorKey() })
    ).code;
  });

  it('boots, echoes radio writes, runs its timer and answers status()', () => {
    const run = runInDuktape(probe, PROBE_ECHO_SCENARIO);
    expect(run.stderr).toBe('');
    expect(run.ok, run.stdout + run.stderr).toBe(true);
    expect(run.stdout).toContain('status {"probe":true,"ticks":1,"frames":2,"bytes":7,"lastSum":0}');
    expect(run.stdout).toContain('log probe booted at 0 ms');
  });

  it('reports a failed scenario assertion', () => {
    const run = runInDuktape(probe, `halctl.assert(false, 'deliberate'); print('${SCENARIO_OK}');`);
    expect(run.ok).toBe(false);
    expect(run.exitCode).toBe(1);
    expect(run.stderr + run.stdout).toContain('scenario assertion failed: deliberate');
  });

  it('kills a band stuck in a loop', () => {
    const run = runInDuktape(probe, 'for (;;) {}', { timeoutMs: 1000 });
    expect(run.timedOut).toBe(true);
    expect(run.ok).toBe(false);
  });

  it('runs lowered classes, Error subclasses, spread of bytes and the stand-in crypto', async () => {
    const code = await minifyEs5(
      lowerToEs5(`class Fault extends Error { constructor(m, status) { super(m); this.name = 'Fault'; this.status = status; } }
        class Counter { n = 0; bump(by = 1) { this.n += by; return this; } }
        let out;
        try { throw new Fault('no card', 0x26); } catch (e) { out = [e instanceof Fault, e instanceof Error, e.message, e.status]; }
        const bytes = hal.random.bytes(3);
        const sealed = hal.aead.seal(new Uint8Array(32), new Uint8Array(12), new Uint8Array(0), bytes);
        const opened = hal.aead.open(new Uint8Array(32), new Uint8Array(12), new Uint8Array(0), sealed);
        hal.se.generate(0);
        const msg = new Uint8Array([1, 2, 3]);
        const sig = hal.se.sign(0, msg);
        wristpay = { status: () => JSON.stringify([...out, [...bytes].length, opened.length, sealed.length,
          hal.se.verify(hal.se.publicKey(0), msg, sig), new Counter().bump().bump(2).n]) };`),
    );
    const run = runInDuktape(code, `print(wristpay.status()); print('${SCENARIO_OK}');`);
    expect(run.ok, run.stdout + run.stderr).toBe(true);
    expect(JSON.parse(run.stdout.split('\n')[0])).toEqual([true, true, 'no card', 0x26, 3, 3, 19, true, 3]);
  });
});
