/**
 * Bounded waits: every radio step the bridge takes goes through `withTimeout`, so a band
 * that walks away (or a simulator that never answers) costs at most the step's budget.
 */
import { Status } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import { TransportError } from './types.ts';

/**
 * Resolves or rejects as `work` does, or rejects with TIMEOUT after `ms`. `onTimeout` runs
 * when the budget is spent (to cancel what was started); the late result is ignored.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        onTimeout?.();
      } catch {
        // cancelling is best effort
      }
      reject(new TransportError(Status.TIMEOUT, `${what}: no answer within ${ms} ms`));
    }, ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Any thrown value as a WristpayError: radio stacks throw plain Errors and strings. */
export function asTransportError(err: unknown, what: string): WristpayError {
  if (err instanceof WristpayError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new TransportError(Status.UNREACHABLE, `${what}: ${text}`);
}

/** Promise-returning form of a node-style callback API (noble's). */
export function callback<T = void>(start: (cb: (err?: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      start((err, value) => (err ? reject(err) : resolve(value as T)));
    } catch (e) {
      reject(e);
    }
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
