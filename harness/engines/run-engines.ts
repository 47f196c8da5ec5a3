/**
 * `npm run engines` without its command line: builds the same image and scenario bundle the
 * Duktape test runs, then runs the story on QuickJS and on every program engine found
 * (./program-engines.ts), once with the HAL's JavaScript hashing and, where the engine has
 * native hashing, once with that (the figures of the band rather than of the test double);
 * Espruino once more with its code in flash, as on a watch.
 */
import { buildRealImage } from '../band/quickjs-band.ts';
import { bundleScenarioForDuk } from './duk-bundle.ts';
import { type EngineResult, type ProgramEngine, runProgramEngine, type StoryBundle } from './engine-run.ts';
import { runEspruinoFromFlash } from './espruino-flash.ts';
import { runQuickJS } from './quickjs-run.ts';

export interface EnginesRun {
  imageBytes: number;
  results: EngineResult[];
}

/** Builds the bundle once and runs it on QuickJS and each of `engines`, in order, one at a time. */
export async function runEngines(
  engines: readonly ProgramEngine[],
  payments: number,
  onResult: (r: EngineResult) => void = () => {},
): Promise<EnginesRun> {
  const [image, scenario] = await Promise.all([buildRealImage(), bundleScenarioForDuk()]);
  const bundle: StoryBundle = { image: image.code, scenario, payments };
  const results: EngineResult[] = [];
  const done = (r: EngineResult) => {
    results.push(r);
    onResult(r);
  };
  done(await runQuickJS(bundle, 'js'));
  done(await runQuickJS(bundle, 'host'));
  for (const engine of engines) {
    done(runProgramEngine(engine, bundle, 'js'));
    if (engine.hostCrypto !== undefined) done(runProgramEngine(engine, bundle, 'host'));
    if (engine.codeInFlash) done(runEspruinoFromFlash(engine, bundle));
  }
  return { imageBytes: image.sizes.minified, results };
}

const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

/** One line per run, for the console. */
export function describeResult(r: EngineResult): string {
  const hal = r.crypto === 'host' ? 'native hashing' : 'JS hashing';
  const head = `${r.ok ? 'ok  ' : 'FAIL'} ${r.engine} (${hal}): ${r.stepsPassed}/${r.stepsTotal} steps`;
  const pay = r.payments
    ? `, ${ms(r.payments.msPerPayment)} ms a payment (band ${ms(r.payments.bandMsPerPayment)} ms) over ${r.payments.payments}`
    : '';
  const memory = r.memory ? `, ${r.memory}` : '';
  const note = r.note ? ` (${r.note})` : '';
  const failure = r.failure ? `\n     ${r.failure.split('\n').join('\n     ')}` : '';
  return `${head}${pay}${note}${memory}; ${(r.wallMs / 1000).toFixed(1)} s${failure}`;
}
