/**
 * Why a relay request did not produce the band's reply: the one error type the relay
 * session rejects with. `origin` says where the status came from:
 *
 *  - `band`: the band's own ERROR frame (LOCKED, NOT_ENROLLED, DECRYPT_FAILED, …);
 *  - `link`: what the band sent could not be used (broken fragments, undecodable or
 *    unexpected messages): the bytes are untrusted, and bad bytes are a refusal, not a crash;
 *  - `timeout`: the band fell silent (TIMEOUT, or REASSEMBLY_TIMEOUT mid-message);
 *  - `radio`: the link dropped or a write failed (UNREACHABLE, BUSY, OVERSIZE);
 *  - `local`: the request itself was refused before anything was sent (BUSY, OVERSIZE).
 */
import type { StatusCode } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';

export type RefusalOrigin = 'band' | 'link' | 'timeout' | 'radio' | 'local';

export class BandRefusal extends WristpayError {
  constructor(
    status: StatusCode,
    readonly origin: RefusalOrigin,
    detail: string,
  ) {
    super(status, detail);
    this.name = 'BandRefusal';
  }
}
