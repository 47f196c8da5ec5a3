/**
 * The checkout's structured log: JSON lines from pino, one per answered request, written
 * to stderr (stdout belongs to the CLI's own output, e.g. `checkout start --json`).
 *
 * Secrets stay out in two ways (OWASP Logging Cheat Sheet, "Data to exclude"): the request
 * line is built from a fixed set of fields (method, route pattern, ids, status, duration:
 * never a body, a header, a query or a raw path), and the logger redacts the secret-bearing
 * names where a later change would most likely put one (top level, `body`, `req.headers`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field names that hold a secret somewhere in this code base (bodies, rows, views). */
const SECRET_FIELDS = [
  'password',
  'paymentPassword',
  'token',
  'deviceToken',
  'turnOffCode',
  'code',
  'secret',
  'answerSecret',
  'key',
  'privateKey',
  'scalar',
  'signature',
  'csrf',
  'passwordHash',
  'payHash',
  'tokenHash',
  'authorization',
  'cookie',
];
const SECRET_HEADERS = ['authorization', 'cookie', 'x-wristpay-signature'];
/**
 * Explicit paths only: at the top, in a `body`, in request and response headers. pino's
 * wildcard paths ("*.password") cost 14-38 µs a line on this machine (docs/CHECKOUT.md "Logs"),
 * more than the request itself; explicit ones ~1 µs.
 */
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `body.${f}`),
  ...SECRET_HEADERS.map((h) => `req.headers["${h}"]`),
  'res.headers["set-cookie"]',
];

export interface LogOptions {
  level?: LogLevel;
  /** Where the JSON lines go (one call per line, no newline); stderr when absent. */
  write?: (line: string) => void;
}

export function createLogger(options: LogOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    base: { svc: 'checkout', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
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
export interface Seen {
  terminalId?: string;
  merchantId?: string;
  accountId?: string;
}
