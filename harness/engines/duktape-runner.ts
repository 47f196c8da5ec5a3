/**
 * Runs a band image under Duktape 2.7 (Debian's `duk`), the second engine of the profile
 * (docs/FIRMWARE-IMAGE.md). `duk` has no host bindings, so the HAL is pure JS
 * (./duk-hal.js) and the test is a scenario script: one temp file =
 * duk-hal.js + band.js + scenario, run with a timeout; the scenario drives the band
 * through `halctl` and prints SCENARIO_OK as its last line when every check passed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DUK, toolPresent } from '../../cli/doctor/test-tools.ts';

/** Where Debian puts duk; named once in the product, where `wristpay doctor` looks for it too. */
export const DEFAULT_DUK = DUK;
export const DUK_HAL_PATH = join(dirname(fileURLToPath(import.meta.url)), './duk-hal.js');
/** The line a scenario prints when it got to the end. */
export const SCENARIO_OK = 'SCENARIO OK';

export interface DukRunOptions {
  /** Path of the duk binary (default /usr/bin/duk). */
  dukPath?: string;
  /** Kill duk after this long (default 20 s); a band stuck in a loop is a failure. */
  timeoutMs?: number;
  /** The pure-JS HAL to prepend (default ./duk-hal.js). */
  halPath?: string;
  /** Keep the temp file (its path is in the result) to rerun by hand. */
  keepFile?: boolean;
  /** JSON-able overrides of firmware/config.ts, bound as the global `wristpayConfig`. */
  config?: unknown;
}

export interface DukRun {
  /** Exit 0, no timeout, and SCENARIO_OK printed. */
  ok: boolean;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
  file: string;
}

/** True when the duk binary is installed. */
export function dukAvailable(dukPath = DEFAULT_DUK): boolean {
  return toolPresent(dukPath);
}

/** Runs `imageCode` (dist/band.js) and then `scenario` under duk with the pure-JS HAL. */
export function runInDuktape(imageCode: string, scenario: string, opts: DukRunOptions = {}): DukRun {
  const dukPath = opts.dukPath ?? DEFAULT_DUK;
  if (!dukAvailable(dukPath)) throw new Error(`${dukPath} not found: apt-get install -y duktape`);
  const halSource = readFileSync(opts.halPath ?? DUK_HAL_PATH, 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-duk-'));
  const file = join(dir, 'run.js');
  // Newlines and `;` between the parts: each must end its last statement on its own.
  const config = opts.config === undefined ? '' : `var wristpayConfig = ${JSON.stringify(opts.config)};\n`;
  writeFileSync(file, `${halSource}\n;\n${config}${imageCode}\n;\n${scenario}\n`);
  try {
    const r = spawnSync(dukPath, [file], {
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 20_000,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
    });
    const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    if (r.error && !timedOut) throw r.error;
    const stdout = r.stdout ?? '';
    const lines = stdout.trimEnd().split('\n');
    return {
      ok: r.status === 0 && !timedOut && lines[lines.length - 1] === SCENARIO_OK,
      stdout,
      stderr: r.stderr ?? '',
      exitCode: r.status,
      timedOut,
      file,
    };
  } finally {
    if (!opts.keepFile) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The build probe's scenario (test/fixtures/build-probe.ts): boots, echoes radio writes, runs
 * its timer, answers status(). The real firmware's scenarios follow the same pattern.
 */
export const PROBE_ECHO_SCENARIO = `
halctl.assert(typeof wristpay === 'object' && typeof wristpay.status === 'function', 'wristpay global');
halctl.assert(halctl.display()[2] === 'booted', 'boot banner: ' + halctl.display().join('|'));
halctl.connect(185);
halctl.write(halctl.bytes('830003deadbe'));
halctl.write(halctl.bytes('00'));
halctl.assert(halctl.notified.length === 2, 'two notifications, got ' + halctl.notified.length);
halctl.assert(halctl.hex(halctl.notified[0]) === '830003deadbe', 'echo 1: ' + halctl.hex(halctl.notified[0]));
halctl.assert(halctl.hex(halctl.notified[1]) === '00', 'echo 2');
halctl.advance(1000);
halctl.assert(halctl.display()[2] === 'ticks 1 frames 2', 'timer: ' + halctl.display().join('|'));
print('status ' + wristpay.status());
print('log ' + halctl.logs.join(' / '));
print('${SCENARIO_OK}');
`;
