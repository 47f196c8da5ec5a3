/**
 * Money as people type it ("12.34") and as the checkout keeps it (integer minor units),
 * and the other small validations of the bridge commands.
 */
import { defaultConfig } from '../checkout/core/config.ts';
import { MAX_TRADE_AMOUNT, isIsoCurrency } from '../checkout/core/trade-terms.ts';

/** Currencies without minor units (ISO 4217 exponent 0) that wristpay's catalogue can meet. */
const ZERO_DECIMAL = new Set(['JPY', 'KRW']);

export function minorDigits(currency: string): number {
  return ZERO_DECIMAL.has(currency) ? 0 : 2;
}

/** "12.34" → 1234 (CNY), "12" → 1200, "1200" → 1200 (JPY); null for anything else or for zero. */
export function parseAmount(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const m = /^([0-9]{1,12})(?:\.([0-9]+))?$/.exec(text.trim());
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > digits) return null;
  const minor = Number(m[1]) * 10 ** digits + Number((frac + '0'.repeat(digits)).slice(0, digits) || '0');
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}

/** A charge the checkout would refuse as MALFORMED, found before any round trip: why, and what to do. */
export interface TermsProblem {
  message: string;
  hint: string;
}

/** The currencies wristpay's limits know a rate for (config.ts limitCurrency, limitRates): the useful suggestions. */
const RATED = [defaultConfig.limitCurrency, ...Object.keys(defaultConfig.limitRates)];

/** A currency the checkout accepts (trade-terms.ts), else why not. */
export function currencyProblem(currency: string): TermsProblem | null {
  if (isIsoCurrency(currency)) return null;
  return {
    message: `--currency ${currency} is not an ISO 4217 currency code`,
    hint: `use one such as ${RATED.join(', ')}`,
  };
}

/** An amount (minor units) no larger than one trade may be (trade-terms.ts MAX_TRADE_AMOUNT), else why not. */
export function amountProblem(minor: number, currency: string): TermsProblem | null {
  if (minor <= MAX_TRADE_AMOUNT) return null;
  const most = formatAmount(MAX_TRADE_AMOUNT, currency);
  return {
    message: `${formatAmount(minor, currency)} is more than one charge may be (at most ${most})`,
    hint: `charge at most ${most}, or split the order`,
  };
}

export function formatAmount(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return `${digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits)} ${currency}`;
}

/** The checkout's rule for merchant order and refund request numbers (also token claim 7). */
export function isOrderId(text: string): boolean {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(text);
}

/** A fresh order number: wp-<time>-<random>, sortable by time. */
export function newOrderId(): string {
  return `wp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
