/**
 * What a trade may ask for, shared by the checkout (trades.ts refuses anything else as
 * MALFORMED) and the bridge CLI (which refuses the same before any round trip).
 */

/** The most one trade may be, in minor units (10 000 000.00 of a two-decimal currency). */
export const MAX_TRADE_AMOUNT = 10_000_000_00;

// ISO 4217 codes in circulation as the runtime's ICU data knows them (ECMA-402
// Intl.supportedValuesOf, Node's full-icu): three capitals that name no currency ("XYZ")
// would make a trade nobody can pay or reconcile.
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

export function isIsoCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && ISO_4217.has(code);
}
