/**
 * The band's whole story on one engine (scripts/engines.ts, `npm run engines`): the same
 * script the Duktape test runs — the pure-JS HAL (./duk-hal.js), the image, the checkout's
 * scenario (./duk-checkout/, bundled by ./duk-bundle.ts) — preceded by a prelude that asks
 * for timed payments and, where the engine offers it, hands the HAL native hashing.
 *
 * Engines run as programs (Duktape's `duk`, Espruino's and JerryScript's Linux builds, see
 * docs/FIRMWARE.md) or in process (QuickJS, ./quickjs-run.ts). Each run reports how many of
 * the story's steps passed, the time of a payment, and the engine's own memory figure.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORY_STEPS } from '../band/engine-story.ts';
import { PAYMENTS_LINE, type PaymentRun, STEP_LINE } from './duk-checkout/measure.ts';
import { DUK_HAL_PATH, SCENARIO_OK } from './duktape-runner.ts';

/** 'js': the HAL's own JavaScript SHA-256/HMAC (the pure-engine tests); 'host': the engine's native hashing. */
export type HalCrypto = 'js' | 'host';

export interface ProgramEngine {
  name: string;
  path: string;
  args: readonly string[];
  /** The prelude that defines `hostSha256` (and maybe `hostHmacSha256`) from the engine's own crypto, if it has any. */
  hostCrypto?: string;
  /** Code every run on this engine starts with. */
  prelude?: string;
  /** The engine's memory figure from its output, if it prints one. */
  memory?: (output: string) => string | null;
  /** Espruino: also run with the code in flash (./espruino-flash.ts), where its memory figure counts. */
  codeInFlash?: boolean;
}

export interface EngineResult {
  engine: string;
  crypto: HalCrypto;
  stepsPassed: number;
  stepsTotal: number;
  /** Every step passed, the payments were timed and the script printed SCENARIO OK. */
  ok: boolean;
  payments: PaymentRun | null;
  /** The engine's memory figure as a sentence ("peak heap 150,123 B"), or null when it has none. */
  memory: string | null;
  /** Wall time of the whole run, building excluded. */
  wallMs: number;
  /** The tail of the output when the run failed. */
  failure?: string;
  /** What the figures do not say (a run whose times are the host's, not the engine's). */
  note?: string;
}

/** What a run needs besides the engine: the image, the scenario bundle, how many payments to time. */
export interface StoryBundle {
  image: string;
  scenario: string;
  payments: number;
}

/**
 * On Espruino, the live variable slots (process.memory() runs a GC first) once the HAL is set
 * up and once the image has booted, into `storySlots` (./duk-checkout/measure.ts reports them).
 */
const SAMPLE_SLOTS = "if (typeof process !== 'undefined' && process.memory) storySlots.push(process.memory().usage);";

/** The one script every engine runs: the engine's `prelude`, pure-JS HAL, image, scenario. */
export function storyScript(bundle: StoryBundle, engine = ''): string {
  const hal = readFileSync(DUK_HAL_PATH, 'utf8');
  const prelude = `var storyPayments = ${bundle.payments};\nvar storySlots = [];\n${engine}`;
  // Newlines and `;` between the parts: each must end its last statement on its own.
  return `${prelude}\n;\n${hal}\n;\n${SAMPLE_SLOTS}\n${bundle.image}\n;\n${SAMPLE_SLOTS}\n${bundle.scenario}\n`;
}

/** Reads a run's output: steps passed, the payment line, SCENARIO OK. */
export function readStoryOutput(
  engine: string,
  crypto: HalCrypto,
  output: string,
  memory: string | null,
  wallMs: number,
): EngineResult {
  const lines = output.split('\n').map((l) => l.trim());
  const stepsPassed = lines.filter((l) => l.startsWith(STEP_LINE)).length;
  const paymentLine = lines.find((l) => l.startsWith(PAYMENTS_LINE));
  const payments = paymentLine ? (JSON.parse(paymentLine.slice(PAYMENTS_LINE.length)) as PaymentRun) : null;
  const hashedAsAsked = payments !== null && payments.nativeHashing === (crypto === 'host');
  const ok = stepsPassed === STORY_STEPS.length && hashedAsAsked && lines.includes(SCENARIO_OK);
  const result: EngineResult = {
    engine,
    crypto,
    stepsPassed,
    stepsTotal: STORY_STEPS.length,
    ok,
    payments,
    memory: payments?.slots ? espruinoSlots(payments.slots) : memory,
    wallMs,
  };
  if (payments && !hashedAsAsked) result.failure = `the HAL did not hash as asked (${crypto})`;
  else if (!ok)
    result.failure = lines
      .filter((l) => l !== '')
      .slice(-8)
      .join('\n');
  return result;
}

function espruinoSlots(s: NonNullable<PaymentRun['slots']>): string {
  const n = (x: number) => x.toLocaleString('en');
  const boot = `the HAL ${n(s.afterHal)}, booting the image +${n(s.afterBoot - s.afterHal)}`;
  return `peak ${n(s.peak)} variable slots of ${n(s.total)} (${s.blockBytes} B each; ${boot}); ${n(s.afterPayments)} after the payments`;
}

/** What a program engine printed (stdout, then stderr and any spawn error), its exit status and wall time. */
export interface EngineExit {
  output: string;
  status: number | null;
  wallMs: number;
}

/** Runs `path args…` in `cwd` with an empty stdin and a timeout (a hung engine is killed). */
export function spawnEngine(path: string, args: readonly string[], cwd: string, timeoutMs: number): EngineExit {
  const t = performance.now();
  // stdin is empty: Espruino's Linux build reads its REPL from it after the script, and ends.
  const r = spawnSync(path, args, {
    cwd,
    encoding: 'utf8',
    input: '',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - t;
  return {
    output: `${r.stdout ?? ''}\n${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`,
    status: r.status,
    wallMs,
  };
}

/** A result that also fails on a non-zero exit. */
export function resultOf(engine: string, crypto: HalCrypto, run: EngineExit, memory: string | null): EngineResult {
  const result = readStoryOutput(engine, crypto, run.output, memory, run.wallMs);
  if (run.status !== 0 && result.ok) return { ...result, ok: false, failure: `exit ${run.status}` };
  return result;
}

/** What a run on `engine` starts with: its own prelude, and its native hashing if asked for. */
export function enginePrelude(engine: ProgramEngine, crypto: HalCrypto): string {
  if (crypto === 'host' && engine.hostCrypto === undefined) throw new Error(`${engine.name} offers no native hashing`);
  return `${engine.prelude ?? ''}\n${crypto === 'host' ? engine.hostCrypto : ''}`;
}

/** Runs the story script in a program engine; a crash or timeout is a result with the output's tail. */
export function runProgramEngine(
  engine: ProgramEngine,
  bundle: StoryBundle,
  crypto: HalCrypto,
  timeoutMs = 600_000,
): EngineResult {
  const script = storyScript(bundle, enginePrelude(engine, crypto));
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-engine-'));
  const file = join(dir, 'story.js');
  writeFileSync(file, script);
  try {
    const run = spawnEngine(engine.path, [...engine.args, file], dir, timeoutMs);
    return resultOf(engine.name, crypto, run, engine.memory?.(run.output) ?? null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
