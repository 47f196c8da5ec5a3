import { Status, type StatusCode } from './codes.ts';

/**
 * The one error type that carries a status code. Library code throws it (or returns
 * a `Result`) and the edges (HTTP handler, CLI shell, radio) map it to their form in
 * one place. Anything else that is thrown maps to INTERNAL.
 *
 * Without a detail the message is just "status 0xNN": the sentences of
 * ./describe.ts are host-only (this file is bundled into the band image). Edges that
 * show errors to people render the status with describeStatus themselves.
 */
export class WristpayError extends Error {
  readonly status: StatusCode;
  constructor(status: StatusCode, detail?: string) {
    // "status 0x01": ES5-only (no padStart; this runs on the band). Inline, not a helper:
    // each function costs the band's heap ~190 bytes.
    super(detail ?? 'status 0x' + (status < 16 ? '0' : '') + status.toString(16));
    this.name = 'WristpayError';
    this.status = status;
  }
}

/** A decoded-or-refused value: decoders of untrusted bytes return this, never throw. */
export type Result<T> = { ok: true; value: T } | { ok: false; status: StatusCode; detail?: string };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}
export function fail<T = never>(status: StatusCode, detail?: string): Result<T> {
  return { ok: false, status, detail };
}

/** Map any thrown value to its status code (the single mapping point). */
export function statusOf(err: unknown): StatusCode {
  return err instanceof WristpayError ? err.status : Status.INTERNAL;
}
