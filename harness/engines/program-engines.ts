/**
 * The engines `npm run engines` runs as programs, and where it finds them: Debian's `duk`, and
 * Linux builds of Espruino and JerryScript named by the environment (ESPRUINO, JERRY), built
 * from their public sources as docs/FIRMWARE.md says, and JerryScript with our host
 * (./jerry-host.c, JERRY_HOST), which adds native hashing. QuickJS runs in process (./quickjs-run.ts).
 */
import { existsSync } from 'node:fs';
import { DUK } from '../../cli/doctor/test-tools.ts';
import type { ProgramEngine } from './engine-run.ts';

/** JerryScript prints its heap statistics at exit with --mem-stats (a build with --mem-stats=ON). */
function jerryHeap(output: string): string | null {
  const size = /Heap size = (\d+) bytes/.exec(output);
  const peak = /Peak allocated = (\d+) bytes/.exec(output);
  if (!size || !peak) return null;
  return `peak heap ${Number(peak[1]).toLocaleString('en')} B of ${Number(size[1]).toLocaleString('en')} B`;
}

const DUKTAPE: Omit<ProgramEngine, 'path'> = { name: 'Duktape 2.7', args: [] };

const ESPRUINO: Omit<ProgramEngine, 'path'> = {
  name: 'Espruino',
  args: [],
  // Espruino's crypto module (libs/crypto, in the Linux build) hashes natively; HMAC stays
  // the HAL's JavaScript over it, two hashes per call.
  hostCrypto: `var hostSha256 = function (d) { return new Uint8Array(require('crypto').SHA256(d)); };`,
  codeInFlash: true,
  // The Linux build grows its variable store when it runs out of single variables, but not
  // for a flat string (a typed array's or a hash's bytes need contiguous blocks), so a hash
  // late in a run could fail with "Not enough memory for result". Grow it to 16,384 first,
  // as a device's store is fixed from the start.
  prelude: '(function () { var a = []; for (var i = 0; i < 6000; i++) a.push({}); })();',
};

const JERRYSCRIPT: Omit<ProgramEngine, 'path'> = { name: 'JerryScript', args: ['--mem-stats'], memory: jerryHeap };

/** ./jerry-host.c: JerryScript with a native SHA-256, as a secure element would give the band. */
const JERRY_HOST: Omit<ProgramEngine, 'path'> = {
  name: 'JerryScript + jerry-host.c',
  args: [],
  hostCrypto: 'var hostSha256 = nativeSha256;',
  memory: jerryHeap,
};

export interface FoundEngines {
  found: ProgramEngine[];
  /** Why each engine that is not run was not found. */
  missing: string[];
}

/** The program engines present on this machine; `env` names Espruino's and JerryScript's binaries. */
export function programEngines(env: NodeJS.ProcessEnv = process.env): FoundEngines {
  const found: ProgramEngine[] = [];
  const missing: string[] = [];
  const look = (engine: Omit<ProgramEngine, 'path'>, path: string | undefined, hint: string) => {
    if (path && existsSync(path)) found.push({ ...engine, path });
    else missing.push(`${engine.name}: ${path ? `${path} does not exist` : hint}`);
  };
  look(DUKTAPE, DUK, 'apt-get install -y duktape');
  look(ESPRUINO, env.ESPRUINO, 'set ESPRUINO to its Linux binary (docs/FIRMWARE.md)');
  look(JERRYSCRIPT, env.JERRY, 'set JERRY to its Linux binary (docs/FIRMWARE.md)');
  look(
    JERRY_HOST,
    env.JERRY_HOST,
    'set JERRY_HOST to harness/engines/jerry-host.c built against it (docs/FIRMWARE.md)',
  );
  return { found, missing };
}
