/**
 * The day limit across currencies (issue 11, finding 10). Password-free limits are kept in
 * one currency (config.limitCurrency, CNY): a payment in another currency counts against
 * them at a fixed configured rate, rounded up, in the same day total. Switching currency
 * therefore buys nothing once the day's limit is used up. A currency without a rate is
 * never password-free: the band's button press (the confirmed flag) is needed.
 */
import type { CheckoutConfig } from './config.ts';

const RATE_SCALE = 10_000;

/** `amount` minor units of `currency` in minor units of the limit currency; null when there is no rate. */
export function inLimitCurrency(config: CheckoutConfig, amount: number, currency: string): number | null {
  if (currency === config.limitCurrency) return amount;
  const rate = config.limitRates[currency];
  if (!Number.isSafeInteger(rate) || rate <= 0) return null;
  // Integers throughout (amount ≤ 10^9, rate < 10^6: well inside 2^53); ceiling, never down.
  return Math.floor((amount * rate + RATE_SCALE - 1) / RATE_SCALE);
}
