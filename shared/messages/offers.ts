/**
 * A payment challenge's offers (docs/PROTOCOL.md §3, challenge key 19): for each of the
 * band's cards that a promotion changes, the amount that card pays, as a map from the card's
 * reference to the amount. The band shows and signs the offer for the card it pays with, the
 * list amount (key 10) for any other. Absent when no card has one; at most 8 entries (a band
 * holds at most 8 cards), each below the list amount. A map, not an array of maps: each card
 * once by construction (the strict decoder refuses a repeated key), and a few hundred bytes
 * less of the band's image than a reader per entry. No label: the band shows the amount, the
 * receipt names the promotion.
 */
import { CborMap } from '../cbor/types.ts';
import { utf8Length } from '../cbor/utf8.ts';
import { Size } from '../protocol/constants.ts';
import type { Fields } from './fields.ts';

export interface Offer {
  cardRef: string;
  /** Minor units, below the challenge's list amount (0: free). */
  amount: number;
}

const MAX_OFFERS = 8;

/** Reads key `key` of a challenge with list amount `list`; problems are refused on `f`. */
export function readOffers(f: Fields, key: number, list: number): Offer[] | undefined {
  const m = f.map(key, { optional: true });
  const n = m.keys.length;
  if (n === 0) return undefined;
  if (n > MAX_OFFERS) f.refuse('offers: more than ' + MAX_OFFERS);
  const offers: Offer[] = [];
  for (let i = 0; i < n; i++) {
    const cardRef = m.keys[i];
    const amount = m.values[i];
    if (
      typeof cardRef !== 'string' ||
      utf8Length(cardRef) > Size.MAX_CARD_REF ||
      typeof amount !== 'number' ||
      !(amount >= 0 && amount < list && Math.floor(amount) === amount)
    ) {
      f.refuse('offer ' + i + ': a card reference to an amount below the list amount');
      break;
    }
    offers.push({ cardRef, amount });
  }
  return offers;
}

export function offersToCbor(offers: Offer[] | undefined): CborMap | undefined {
  if (offers === undefined) return undefined;
  const m = new CborMap();
  for (const o of offers) m.set(o.cardRef, o.amount);
  return m;
}
