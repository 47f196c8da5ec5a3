/**
 * Espruino with the code in flash, as a Bangle.js keeps it: the story script is written to
 * Espruino's Storage (the Linux build emulates flash in ./espruino.flash of its working
 * directory), then run with `eval(require('Storage').read(…))`, so the functions' code stays in
 * flash and the variable slots hold only what the band, the HAL and the checkout keep alive.
 * Reading the emulated flash goes through a file, so this run's times are not the engine's:
 * the in-RAM run (./engine-run.ts) gives those.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  enginePrelude,
  type EngineResult,
  type ProgramEngine,
  resultOf,
  type StoryBundle,
  spawnEngine,
  storyScript,
} from './engine-run.ts';

const FILE = 'story';
/** Characters per Storage.write: each chunk is a string literal the loader holds in RAM. */
const CHUNK = 2000;
const WROTE = 'WROTE ';

/** A script that writes `script` to Storage in chunks and prints how many bytes it holds. */
function loader(script: string): string {
  let out = `var S = require('Storage');\nS.erase('${FILE}');\n`;
  for (let at = 0; at < script.length; at += CHUNK) {
    const size = at === 0 ? `, ${script.length}` : '';
    out += `S.write('${FILE}', ${JSON.stringify(script.slice(at, at + CHUNK))}, ${at}${size});\n`;
  }
  return `${out}print('${WROTE}' + S.read('${FILE}').length);\n`;
}

/** The story on Espruino with its code in (emulated) flash and native hashing. */
export function runEspruinoFromFlash(engine: ProgramEngine, bundle: StoryBundle, timeoutMs = 900_000): EngineResult {
  const name = `${engine.name}, code in flash`;
  const script = storyScript(bundle, enginePrelude(engine, 'host'));
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-espruino-'));
  try {
    writeFileSync(join(dir, 'loader.js'), loader(script));
    const load = spawnEngine(engine.path, ['loader.js'], dir, timeoutMs);
    if (!load.output.includes(`${WROTE}${script.length}`))
      return {
        ...resultOf(name, 'host', load, null),
        ok: false,
        failure: `Storage did not take the script:\n${load.output.trim().split('\n').slice(-4).join('\n')}`,
      };
    const run = spawnEngine(engine.path, ['-e', `eval(require('Storage').read('${FILE}'))`], dir, timeoutMs);
    return { ...resultOf(name, 'host', run, null), note: 'times include reading the emulated flash file' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
