/**
 * `npm run engines` (scripts/engines.ts → harness/engines/run-engines.ts) on the engines CI has:
 * QuickJS (npm) with the JS and the native-hashing HAL, and Duktape (`duk`). Espruino and
 * JerryScript run only when ESPRUINO / JERRY name their binaries, by hand (docs/FIRMWARE.md),
 * so no test here waits for them and none is skipped for their absence.
 *
 * Needs duk (test/support/requirements.ts: fails in CI without it, skips elsewhere).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { STORY_STEPS } from '../../harness/band/engine-story.ts';
import { readStoryOutput, runProgramEngine } from '../../harness/engines/engine-run.ts';
import { programEngines } from '../../harness/engines/program-engines.ts';
import { describeResult, type EnginesRun, runEngines } from '../../harness/engines/run-engines.ts';
import { needs, requirements } from '../support/requirements.ts';

describe('reading an engine run', () => {
  it('counts the steps a broken run passed and keeps the tail of its output', () => {
    const r = readStoryOutput('E', 'js', 'STEP 0\nSTEP 1\nUncaught Error: story check failed: unlock\n', null, 5);
    expect(r).toMatchObject({ stepsPassed: 2, stepsTotal: STORY_STEPS.length, ok: false, payments: null });
    expect(r.failure).toContain('story check failed: unlock');
    expect(describeResult(r)).toMatch(/^FAIL E \(JS hashing\): 2\/9 steps/);
  });

  it('names Espruino and JerryScript as not found, with the variable to set, when the environment has none', () => {
    const { found, missing } = programEngines({});
    expect(found.map((e) => e.name)).not.toContain('Espruino');
    expect(missing.join('\n')).toMatch(/Espruino: set ESPRUINO/);
    expect(missing.join('\n')).toMatch(/JerryScript: set JERRY/);
  });
});

needs(requirements.duk).describe('npm run engines on QuickJS and Duktape', () => {
  let run: EnginesRun;

  beforeAll(async () => {
    run = await runEngines(programEngines({}).found, 3);
    for (const r of run.results) console.info(describeResult(r));
  }, 120_000);

  it('runs every step of the story and times the payments on each engine and HAL', () => {
    expect(run.results.map((r) => `${r.engine}/${r.crypto}`)).toEqual(['QuickJS/js', 'QuickJS/host', 'Duktape 2.7/js']);
    for (const r of run.results) {
      expect(r.failure, `${r.engine}/${r.crypto}`).toBeUndefined();
      expect(r).toMatchObject({ ok: true, stepsPassed: STORY_STEPS.length });
      expect(r.payments?.payments).toBe(3);
      expect(r.payments?.msPerPayment).toBeGreaterThan(0);
      expect(r.payments?.bandMsPerPayment).toBeLessThanOrEqual(r.payments?.msPerPayment ?? 0);
    }
  });

  it("hashes in the HAL's JavaScript or natively as asked, and reports QuickJS's memory", () => {
    expect(run.results.map((r) => r.payments?.nativeHashing)).toEqual([false, true, false]);
    expect(run.results[0].memory).toMatch(/^[\d,]+ B used at the end$/);
  });

  it('fails a run whose image throws at boot, with no step passed', () => {
    const duk = programEngines({}).found[0];
    const r = runProgramEngine(duk, { image: 'throw new Error("no boot");', scenario: '', payments: 1 }, 'js', 20_000);
    expect(r).toMatchObject({ ok: false, stepsPassed: 0 });
    expect(r.failure).toContain('no boot');
  });
});
