/**
 * Refusals of the checkout. A refusal is a WristpayError (status + sentence); some carry
 * protocol messages the bridge still has to deliver to the band: the sealed RESULT that
 * tells the band its answer was refused, or the WIPE challenge for a revoked band.
 */
import type { StatusCode } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import type { IssuedChallenge } from './issued-challenge.ts';

export interface RefusalExtras {
  /** RESULT message for the band (the answer opened, but was refused). */
  result?: Uint8Array;
  /** A challenge to deliver anyway (the WIPE of a revoked band). */
  challenge?: IssuedChallenge;
  /** The status is the band's own answer, not the checkout's verdict on the request. */
  byBand?: boolean;
  /** RATE_LIMITED: when to try again (sent as HTTP Retry-After, RFC 9110 §10.2.3). */
  retryAfterMs?: number;
  /** BAND_REQUIRED: the account whose password was right, and the client's fresh device token. */
  accountId?: string;
  deviceToken?: string;
}

export class CheckoutError extends WristpayError {
  readonly extras: RefusalExtras;
  constructor(status: StatusCode, detail?: string, extras?: RefusalExtras) {
    super(status, detail);
    this.name = 'CheckoutError';
    this.extras = extras || {};
  }
}

export function refuse(status: StatusCode, detail?: string, extras?: RefusalExtras): never {
  throw new CheckoutError(status, detail, extras);
}
