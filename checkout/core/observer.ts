/**
 * What the checkout's services report as they work, for metrics (checkout/metrics.ts).
 * An interface here, so core/ depends on no metrics library. Calls are synchronous and
 * allocation-free on the caller's side: they sit on the payment path.
 */
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import { statusOf } from '../../shared/status/error.ts';

export type PaymentMethod = 'band' | 'password';

export interface CheckoutObserver {
  /** A payment reached its verdict: OK, or the status it was refused with; `seconds` from request to verdict. */
  payment(method: PaymentMethod, status: StatusCode, seconds: number): void;
  /** One delivery attempt of a merchant notification. */
  notifyAttempt(delivered: boolean): void;
}

/** Runs one payment attempt and reports its verdict and duration, whatever it was. */
export async function observePayment<T>(
  observer: CheckoutObserver,
  method: PaymentMethod,
  started: number,
  work: Promise<T>,
): Promise<T> {
  try {
    const out = await work;
    observer.payment(method, Status.OK, (performance.now() - started) / 1000);
    return out;
  } catch (e) {
    observer.payment(method, statusOf(e), (performance.now() - started) / 1000);
    throw e;
  }
}
