import { Status, StatusCode, describeStatus } from './codes.ts';

/**
 * The one error type that carries a status code. Library code throws it (or returns
 * a `Result`) and the edges (HTTP handler, CLI shell, radio) map it to their form in
 * one place. Anything else that is thrown maps to INTERNAL.
 */
export class WristpayError extends Error {
  readonly status: StatusCode;
  constructor(status: StatusCode, detail?: string) {
    super(detail ?? describeStatus(status));
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
