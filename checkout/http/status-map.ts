/**
 * The one mapping from wristpay refusals to HTTP: status codes and the headers a refusal
 * carries. Every refusal the checkout makes goes through here; 5xx only for INTERNAL (a
 * bug, never an input) and for UNREACHABLE: the database is unavailable for now (503 with
 * Retry-After, RFC 9110 §15.6.4; a load balancer or client tries again, or another process).
 */
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import { CheckoutError } from '../core/errors.ts';

const explicit: Partial<Record<StatusCode, number>> = {
  [Status.OK]: 200,
  [Status.UNAUTHORIZED]: 401,
  [Status.FORBIDDEN]: 403,
  [Status.REVOKED]: 403,
  [Status.NOT_FOUND]: 404,
  [Status.UNKNOWN_DEVICE]: 404,
  [Status.CARD_NOT_FOUND]: 404,
  [Status.UNKNOWN_CREDENTIAL]: 404,
  [Status.IDENTITY_FULL]: 409,
  [Status.CONFLICT]: 409,
  [Status.REPLAYED]: 409,
  [Status.ALREADY_ENROLLED]: 409,
  [Status.TRADE_CLOSED]: 409,
  [Status.TRADE_NOT_PAID]: 409,
  [Status.FIND_REQUESTED]: 409,
  [Status.WALLET_FULL]: 409,
  [Status.COUNTER_NOT_INCREASING]: 409,
  [Status.EXPIRED]: 410,
  [Status.PAYLOAD_TOO_LARGE]: 413,
  [Status.ACCOUNT_LOCKED]: 423,
  [Status.BACKOFF]: 429,
  [Status.RATE_LIMITED]: 429,
  [Status.QUOTA_EXCEEDED]: 429,
  [Status.PAY_PASSWORD_BLOCKED]: 423,
  [Status.TERMINAL_UNPAIRED]: 401,
  [Status.TERMINAL_SUSPENDED]: 403,
  [Status.UNREACHABLE]: 503,
  [Status.TIMEOUT]: 504,
  [Status.INTERNAL]: 500,
};

/**
 * `byBand`: the status is what the band answered (e.g. DECLINED_BY_USER, or even INTERNAL
 * from a failing band). The request to the checkout was fine and the checkout is fine,
 * so it is 422 whatever the code; a band cannot make the checkout answer 5xx.
 */
export function httpStatusOf(status: number, byBand = false): number {
  if (byBand && status !== Status.OK) return 422;
  const known = explicit[status as StatusCode];
  if (known !== undefined) return known;
  // Protocol-level problems with the request's bytes: 400. Band policy and ledger
  // refusals (limits, claims, wear state, refunds): 422, the request was understood.
  if (status >= 0x01 && status <= 0x1f) return 400;
  if (status >= 0x20 && status <= 0x5f) return 422;
  return 500;
}

/**
 * Headers of a refusal: `Retry-After` in whole seconds, rounded up (RFC 9110 §10.2.3; at
 * least 1, as 0 would invite an immediate retry) when the refusal says when to come back.
 */
export function refusalHeaders(err: unknown): Record<string, string> {
  if (!(err instanceof CheckoutError) || err.extras.retryAfterMs === undefined) return {};
  return { 'retry-after': String(Math.max(1, Math.ceil(err.extras.retryAfterMs / 1000))) };
}
