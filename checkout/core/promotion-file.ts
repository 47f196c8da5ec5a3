/**
 * The promotions file (docs/CHECKOUT.md, "Promotions"): what the catalogue's banks and
 * transit operators offer, as JSON checked once when the checkout starts. Every problem
 * names the entry it is in (its position and id), so an operator who edits the file is
 * told where it is wrong; a file with any problem is refused whole.
 *
 * Amounts are integer minor units of the issuer's currency (the currency of its cards).
 */
import { findCity, findIssuer } from '../api/catalogue.ts';
import { MERCHANT_CATEGORIES, type MerchantCategory, isMerchantCategory } from './merchant-category.ts';

interface PromotionCommon {
  id: string;
  /** A bank issuer id or a transit city id of the catalogue. */
  issuer: string;
  /** What the receipt and the owner's rewards call it: 1 to 32 bytes of UTF-8. */
  label: string;
  /** In force from validFrom (inclusive) to validUntil (exclusive), wall-clock ms. */
  validFrom: number;
  validUntil: number;
}
export type Promotion = PromotionCommon &
  (
    | { kind: 'percent-off'; category: MerchantCategory; percent: number; maxDiscount: number | null }
    | { kind: 'amount-off'; threshold: number; discount: number }
    | { kind: 'points'; per: number; points: number }
    | { kind: 'free-ride'; after: number }
  );
export type PromotionKind = Promotion['kind'];

export class PromotionFileError extends Error {
  override name = 'PromotionFileError';
}

const ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const BANK_KINDS = ['percent-off', 'amount-off', 'points'];
/** The keys each kind takes besides the common ones; any other key is refused (a typo would be silently ignored). */
const KIND_KEYS: Record<PromotionKind, string[]> = {
  'percent-off': ['category', 'percent', 'maxDiscount'],
  'amount-off': ['threshold', 'discount'],
  points: ['per', 'points'],
  'free-ride': ['after'],
};
const COMMON_KEYS = ['id', 'issuer', 'kind', 'label', 'validFrom', 'validUntil'];
const MAX_MINOR = 1e12; // the protocol's largest amount (shared/messages/bodies.ts)

/** Parses and checks the file's JSON text; `source` names the file in every message. */
export function parsePromotionFile(text: string, source: string): Promotion[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PromotionFileError(`${source}: not JSON (${(e as Error).message})`);
  }
  return checkPromotions(data, source);
}

export function checkPromotions(data: unknown, source: string): Promotion[] {
  if (!isObject(data) || !Array.isArray(data.promotions))
    throw new PromotionFileError(`${source}: expected an object {"promotions": [...]}`);
  const extra = Object.keys(data).filter((k) => k !== 'promotions');
  if (extra.length > 0) throw new PromotionFileError(`${source}: unknown key ${extra[0]}`);
  const seen = new Set<string>();
  return data.promotions.map((entry: unknown, i: number) => {
    const where = `${source}: promotion ${i + 1}${isObject(entry) && typeof entry.id === 'string' ? ` ("${entry.id}")` : ''}`;
    const p = checkEntry(entry, (why) => new PromotionFileError(`${where}: ${why}`));
    if (seen.has(p.id)) throw new PromotionFileError(`${where}: id is used by an earlier promotion`);
    seen.add(p.id);
    return p;
  });
}

function checkEntry(e: unknown, bad: (why: string) => Error): Promotion {
  if (!isObject(e)) throw bad('expected an object');
  if (typeof e.id !== 'string' || !ID.test(e.id))
    throw bad('id: 1 to 40 of a-z 0-9 -, starting with a letter or digit');
  const kind = e.kind as PromotionKind;
  if (typeof kind !== 'string' || !(kind in KIND_KEYS)) throw bad(`kind: one of ${Object.keys(KIND_KEYS).join(', ')}`);
  const unknown = Object.keys(e).find((k) => !COMMON_KEYS.includes(k) && !KIND_KEYS[kind].includes(k));
  if (unknown !== undefined) throw bad(`unknown key ${unknown} for kind ${kind}`);
  if (typeof e.issuer !== 'string') throw bad('issuer: a bank or transit city id of the catalogue');
  const bank = findIssuer(e.issuer) !== undefined;
  if (!bank && !findCity(e.issuer))
    throw bad(`issuer: ${e.issuer} is neither a bank nor a transit city of the catalogue`);
  if (bank !== BANK_KINDS.includes(kind))
    throw bad(
      bank ? `kind ${kind} is for transit operators, not banks` : `kind ${kind} is for banks, not transit operators`,
    );
  if (
    typeof e.label !== 'string' ||
    e.label.trim().length === 0 ||
    Buffer.byteLength(e.label) > 32 ||
    /\p{Cc}/u.test(e.label)
  )
    throw bad('label: 1 to 32 bytes of UTF-8, no control characters');
  const validFrom = instant(e.validFrom, 'validFrom', bad);
  const validUntil = instant(e.validUntil, 'validUntil', bad);
  if (validUntil <= validFrom) throw bad('validUntil must be after validFrom');
  const common = { id: e.id, issuer: e.issuer, label: e.label, validFrom, validUntil };
  switch (kind) {
    case 'percent-off': {
      if (!isMerchantCategory(e.category)) throw bad(`category: one of ${MERCHANT_CATEGORIES.join(', ')}`);
      const percent = whole(e.percent, 'percent', 1, 100, bad);
      const maxDiscount = e.maxDiscount === undefined ? null : whole(e.maxDiscount, 'maxDiscount', 1, MAX_MINOR, bad);
      return { ...common, kind, category: e.category, percent, maxDiscount };
    }
    case 'amount-off': {
      const threshold = whole(e.threshold, 'threshold', 1, MAX_MINOR, bad);
      const discount = whole(e.discount, 'discount', 1, threshold, bad);
      return { ...common, kind, threshold, discount };
    }
    case 'points':
      return {
        ...common,
        kind,
        per: whole(e.per, 'per', 1, MAX_MINOR, bad),
        points: whole(e.points, 'points', 1, 1000, bad),
      };
    case 'free-ride':
      return { ...common, kind, after: whole(e.after, 'after', 1, 1000, bad) };
  }
}

function whole(v: unknown, name: string, min: number, max: number, bad: (why: string) => Error): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw bad(`${name}: an integer from ${min} to ${max}`);
  return v;
}

/** An ISO 8601 date-time with its offset ("2026-01-01T00:00:00+08:00"): no local-time guesses. */
function instant(v: unknown, name: string, bad: (why: string) => Error): number {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
  const t = typeof v === 'string' && iso.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) throw bad(`${name}: an ISO 8601 date-time with its offset, e.g. 2026-01-01T00:00:00+08:00`);
  return t;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
