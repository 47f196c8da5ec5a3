/**
 * The one error shape of the `wristpay` command (docs/BRIDGE.md, "Output and exit codes"):
 * with --json, `{"ok":false,"error":{"status","name","message","hint"?}, …}` on stdout;
 * without, `wristpay: message` and `  hint: …` on stderr. Every group prints its errors
 * through here, so a script reads one shape whatever failed.
 */
import { Status, statusName } from '../shared/status/codes.ts';

export interface CliError {
  status: number;
  name: string;
  message: string;
  /** What to do about it, where there is something to do. */
  hint?: string;
}

export interface ErrorStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export function cliError(status: number, message: string, hint?: string): CliError {
  return { status, name: statusName(status) ?? 'UNKNOWN', message, ...(hint ? { hint } : {}) };
}

/** A usage error: MALFORMED, with a hint such as "see wristpay bridge charge --help". */
export function usageError(message: string, hint?: string): CliError {
  return cliError(Status.MALFORMED, message, hint);
}

/** The --json object; `detail` joins the error (stage, kind, …), `extra` the top level (outcome, …). */
export function errorJson(
  e: CliError,
  detail: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): string {
  const { hint, ...rest } = e;
  return JSON.stringify({ ok: false, error: { ...rest, ...(hint ? { hint } : {}), ...detail }, ...extra });
}

/** Prints `e` in the form the run asked for. `human` replaces the message line(s) for people. */
export function printError(
  io: ErrorStreams,
  json: boolean,
  e: CliError,
  opts: { detail?: Record<string, unknown>; extra?: Record<string, unknown>; human?: string } = {},
): void {
  if (json) {
    io.stdout.write(errorJson(e, opts.detail, opts.extra) + '\n');
    return;
  }
  io.stderr.write(`${opts.human ?? `wristpay: ${e.message}`}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`);
}
