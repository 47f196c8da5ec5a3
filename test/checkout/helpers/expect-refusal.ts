/** Asserting refusals: the promise rejects with a CheckoutHttpError of this status name. */
import { expect } from 'vitest';
import type { StatusName } from '../../../shared/status/codes.ts';
import { CheckoutHttpError } from '../../../checkout/api/client.ts';

export async function refusal(p: Promise<unknown>, name: StatusName, httpStatus?: number): Promise<CheckoutHttpError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${name}`).toBeInstanceOf(CheckoutHttpError);
  const err = caught as CheckoutHttpError;
  expect(err.statusName, err.message).toBe(name);
  if (httpStatus !== undefined) expect(err.httpStatus).toBe(httpStatus);
  return err;
}
