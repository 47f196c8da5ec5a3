/**
 * The checkout's structured log: JSON lines from pino, one per answered request, written
 * to stderr (stdout belongs to the CLI's own output, e.g. `checkout start --json`).
 *
 * Secrets stay out in two ways (OWASP Logging Cheat Sheet, "Data to exclude"): the request
 * line is built from a fixed set of fields (method, route pattern, ids, status, duration:
 * never a body, a header, a query or a raw path), and the logger redacts the secret-bearing
 * names anywhere two levels deep, should a later change put an object with one in a log call.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field names that hold a secret somewhere in this code base (bodies, headers, rows). */
const SECRET_FIELDS = [
  'password', 'paymentPassword', 'token', 'deviceToken', 'turnOffCode', 'code', 'secret', 'answerSecret',
  'key', 'privateKey', 'scalar', 'signature', 'authorization', 'cookie', 'set-cookie', 'csrf',
  'x-wristpay-signature', 'passwordHash', 'payHash', 'tokenHash',
];
const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => {
  const k = /^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`;
  const sep = k.startsWith('[') ? '' : '.';
  return [k, `*${sep}${k}`, `*.*${sep}${k}`];
});

export interface LogOptions {
  level?: LogLevel;
  /** Where the JSON lines go (one call per line, no newline); stderr when absent. */
  write?: (line: string) => void;
}

export function createLogger(options: LogOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info', base: { svc: 'checkout', pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (options.write) {
    const write = options.write;
    return pino(opts, { write: (s: string) => write(s.endsWith('\n') ? s.slice(0, -1) : s) });
  }
  // Synchronous: a line is on stderr before the response it describes is acknowledged to
  // a supervisor, and nothing is left in a buffer when the process exits after a SIGTERM.
  return pino(opts, pino.destination({ dest: 2, sync: true }));
}

/** A caller's own x-request-id is kept when it is short and plain (it ends up in logs and headers). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** What the handlers learnt about the caller, for the request's log line. */
export interface Seen { terminalId?: string; merchantId?: string; accountId?: string }
