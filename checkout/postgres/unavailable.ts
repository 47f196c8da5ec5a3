/**
 * A database that cannot be reached right now (restarting, failing over, refusing
 * connections, the network between) is not a bug in the checkout nor in the request: the
 * caller is told UNREACHABLE, which the HTTP edge answers 503 with Retry-After
 * (http/status-map.ts), and may try again. What the failing statement did is decided by the
 * database alone: a statement that did not commit wrote nothing, and a retry of one that
 * did is answered as a repeat (the same trade, REPLAYED, the same refund).
 */
import { Status } from '../../shared/status/codes.ts';
import { CheckoutError } from '../core/errors.ts';

/** When to try again: about as long as a restart or a failover takes to begin accepting connections. */
const RETRY_AFTER_MS = 1_000;

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01–57P03 (shut
 * down by an administrator, crashed, not accepting connections yet) and 53300 (too many
 * connections). https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors on the way to the server. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres reports a lost or never-made connection by message only, without a code. */
const DRIVER_MESSAGES = /^Connection terminated|is not queryable|^timeout exceeded when trying to connect/;

export function isUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || SERVER_CODES.has(code) || SOCKET_CODES.has(code)))
    return true;
  return typeof message === 'string' && DRIVER_MESSAGES.test(message);
}

/** The refusal for `e`, an error isUnavailable accepted; `e` stays its cause, for logs and the CLI. */
export function unavailable(e: unknown): CheckoutError {
  const err = new CheckoutError(Status.UNREACHABLE, 'the database cannot be reached right now; try again shortly', {
    retryAfterMs: RETRY_AFTER_MS,
  });
  err.cause = e;
  return err;
}
