/**
 * What the bridge commands print and how they end: one JSON object on stdout with
 * --json, human lines otherwise (results on stdout, progress and prompts on stderr); a
 * refusal printed as its status NAME and sentence (shared/status/describe.ts) and a hint,
 * every error in the one shape of ./cli-error.ts; and the exit code chosen in one place
 * from the refusal: 1 declined, 2 usage, 3 unreachable.
 */
import type { HostCryptoProvider } from '../shared/crypto/host-provider.ts';
import { describeStatus } from '../shared/status/describe.ts';
import type { Refusal } from '../bridge/flows/outcome.ts';
import type { RadioSpec } from '../bridge/transport/select.ts';
import type { BandTransport, FoundBand } from '../bridge/transport/types.ts';
import { cliError, printError, usageError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { type Asker, hintFor } from './hints.ts';
import type { SecretStdin } from './secret-input.ts';
import { Spinner } from './spinner.ts';

export interface OutStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The world a command runs in; tests replace parts of it (streams, radio, fetch). */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  stdin: SecretStdin;
  env: NodeJS.ProcessEnv;
  /** Builds the transport for a radio spec (default: transport/select.ts openTransport). */
  transport?: (spec: RadioSpec) => BandTransport | null;
  provider?: HostCryptoProvider;
  fetch?: typeof fetch;
}

export function defaultIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

export type SetExit = (code: number) => void;

export function exitCodeFor(r: Pick<Refusal, 'kind' | 'stage'>): number {
  if (r.stage === 'input') return ExitCode.USAGE;
  return r.kind === 'unreachable' ? ExitCode.UNREACHABLE : ExitCode.DECLINED;
}

/** Output of one command run. */
export class Out {
  readonly spinner: Spinner;
  /** Who the command speaks for, to pick a refusal's hint (merchant commands set 'terminal'). */
  asker: Asker = 'owner';
  constructor(
    readonly io: CliIo,
    readonly json: boolean,
    private readonly setExit: SetExit,
  ) {
    this.spinner = new Spinner(io.stderr, json, io.stdout);
  }

  /** Progress for people (stderr); nothing with --json. */
  info(text: string): void {
    this.spinner.stop();
    if (!this.json) this.io.stderr.write(text + '\n');
  }

  /** Always on stderr: something a person or a script's log should see. */
  warn(text: string): void {
    this.spinner.stop();
    this.io.stderr.write(`wristpay: warning: ${text}\n`);
  }

  /** Success: the JSON object, or the human text, on stdout. */
  success(value: Record<string, unknown>, human: string): void {
    this.spinner.stop();
    this.io.stdout.write(this.json ? JSON.stringify({ ok: true, ...value }) + '\n' : human + '\n');
    this.setExit(ExitCode.OK);
  }

  /** A refusal from a flow: printed with its status name, sentence and hint; exit code by kind. */
  refuse(r: Refusal, extra: Record<string, unknown> = {}, code = exitCodeFor(r)): void {
    this.spinner.stop();
    const e = cliError(r.status, r.message, hintFor(r, this.asker));
    const detail = {
      stage: r.stage,
      kind: r.kind,
      ...(r.wipe ? { wipe: r.wipe } : {}),
      ...(r.ring ? { ring: r.ring } : {}),
    };
    const wipe = !r.wipe
      ? ''
      : r.wipe.delivered
        ? '\n  the band was revoked by its owner; its queued wipe was delivered'
        : `\n  the band was revoked; delivering its wipe failed: ${r.wipe.refusal?.name ?? 'unknown'}`;
    const ring = !r.ring
      ? ''
      : r.ring.delivered
        ? '\n  its owner is looking for it: the band is ringing'
        : `\n  its owner is looking for it; making it ring failed: ${r.ring.refusal?.name ?? 'unknown'}`;
    const human = `wristpay: ${r.kind === 'unreachable' ? 'unreachable' : 'declined'}: ${describeStatus(r.status)}\n  ${r.stage}: ${r.message}${wipe}${ring}`;
    printError(this.io, this.json, e, { detail, extra, human });
    this.setExit(code);
  }

  /** A usage error found by the command itself (commander's own go through main.ts): MALFORMED, exit 2. */
  usage(message: string, hint?: string): void {
    this.spinner.stop();
    printError(this.io, this.json, usageError(message, hint));
    this.setExit(ExitCode.USAGE);
  }

  /**
   * Input refused here, before any round trip (an unknown catalogue id, an amount or a
   * currency the checkout would refuse): the error shape with a hint, exit 2.
   */
  invalid(message: string, hint: string): void {
    this.usage(message, hint);
  }

  /** Ends with a given exit code and status (e.g. PASSWORD_REQUIRED: no password and no terminal to ask on). */
  fail(
    code: number,
    status: number,
    message: string,
    opts: { hint?: string; extra?: Record<string, unknown> } = {},
  ): void {
    this.spinner.stop();
    printError(this.io, this.json, cliError(status, message, opts.hint), { extra: opts.extra });
    this.setExit(code);
  }
}

export function bandLine(b: FoundBand, nearest: boolean): string {
  return `  ${b.id.padEnd(20)} ${b.name.padEnd(10)} ${String(b.rssi).padStart(4)} dBm${nearest ? '  ← nearest' : ''}`;
}
