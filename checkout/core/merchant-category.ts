/**
 * What kind of shop a merchant is: the categories a bank's percentage-off promotion can
 * name (promotion-file.ts). A short fixed list in the spirit of card networks' merchant
 * category groups; a merchant without one gets no category promotion.
 */
export const MERCHANT_CATEGORIES = [
  'dining',
  'grocery',
  'retail',
  'fuel',
  'travel',
  'entertainment',
  'health',
  'transport',
] as const;

export type MerchantCategory = (typeof MERCHANT_CATEGORIES)[number];

export function isMerchantCategory(v: unknown): v is MerchantCategory {
  return typeof v === 'string' && (MERCHANT_CATEGORIES as readonly string[]).includes(v);
}
