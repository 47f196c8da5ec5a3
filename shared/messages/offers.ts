/**
 * A payment challenge's offers (docs/PROTOCOL.md §3, challenge key 19): for each of the
 * band's cards that a promotion changes, the amount that card pays. The band shows and
 * signs the offer for the card it pays with, the list amount (key 10) for any other.
 * Absent when no card has one (never an empty array: one encoding per meaning); at most 8
 * (a band holds at most 8 cards), each card once, each below the list amount.
 */
import { CborMap, type CborValue } from '../cbor/types.ts';
import { Size } from '../protocol/constants.ts';
import { addFields } from './envelope.ts';
import { Fields } from './fields.ts';
import { OfferKey } from './keys.ts';

export interface Offer {
  cardRef: string;
  /** Minor units, below the challenge's list amount (0: free). */
  amount: number;
  /** The promotion's name, up to 32 bytes. */
  label?: string;
}

export const MAX_OFFERS = 8;

/** Reads key `key` of a challenge with list amount `list`; problems are refused on `f`. */
export function readOffers(f: Fields, key: number, list: number): Offer[] | undefined {
  const raw = f.list(key, { optional: true, max: MAX_OFFERS });
  if (raw === undefined) return undefined;
  if (raw.length === 0) f.refuse('offers: omitted, not empty');
  const offers: Offer[] = [];
  for (let i = 0; i < raw.length; i++) {
    const m = raw[i];
    if (!(m instanceof CborMap)) {
      f.refuse('offer ' + i + ': expected map');
      break;
    }
    const o = new Fields(m);
    const offer: Offer = {
      cardRef: o.text(OfferKey.CARD_REF, { max: Size.MAX_CARD_REF }),
      amount: o.uint(OfferKey.AMOUNT, { max: list - 1 }),
      label: o.text(OfferKey.LABEL, { max: Size.MAX_SHORT_TEXT, optional: true }),
    };
    if (offer.label === undefined) delete offer.label;
    const read = o.done(offer);
    if (!read.ok) f.refuse('offer ' + i + ': ' + read.detail);
    if (offer.cardRef === '') f.refuse('offer ' + i + ': empty cardRef');
    for (let j = 0; j < offers.length; j++)
      if (offers[j].cardRef === offer.cardRef) f.refuse('offer ' + i + ': card twice');
    offers.push(offer);
  }
  return offers;
}

export function offersToCbor(offers: Offer[] | undefined): CborValue {
  if (offers === undefined) return undefined;
  return offers.map((o) =>
    addFields(new CborMap(), [
      [OfferKey.CARD_REF, o.cardRef],
      [OfferKey.AMOUNT, o.amount],
      [OfferKey.LABEL, o.label],
    ]),
  );
}
