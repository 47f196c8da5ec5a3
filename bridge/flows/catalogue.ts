/**
 * The checkout's catalogue (checkout/api/catalogue.ts) as the bridge shows it, and
 * the local check of an issuer or city id before any round trip: an unknown id is
 * refused with the ids that exist and the nearest one (shared/text/did-you-mean.ts).
 */
import { issuers, transitCities, findCity, findIssuer } from '../../checkout/api/catalogue.ts';
import type { Issuer, TransitCity } from '../../checkout/api/catalogue.ts';
import { nearest } from '../../shared/text/did-you-mean.ts';

export interface Catalogue {
  banks: readonly Issuer[];
  cities: readonly TransitCity[];
}

export function catalogue(): Catalogue {
  return { banks: issuers, cities: transitCities };
}

/** Why an id is not in the catalogue: a sentence, and a hint naming the nearest id when there is one. */
export interface UnknownId {
  message: string;
  hint: string;
}

function unknown(what: 'issuer' | 'city', flag: string, typed: string, ids: readonly string[]): UnknownId {
  const guess = nearest(typed, ids);
  const list = `known ${what === 'issuer' ? 'issuers' : 'cities'}: ${ids.join(', ')}`;
  return {
    message: `unknown ${what} "${typed}"; ${list}`,
    hint: guess ? `did you mean ${flag} ${guess}? (wristpay catalogue lists them)` : 'wristpay catalogue lists them',
  };
}

/** null when `id` names a bank in the catalogue. */
export function checkIssuer(id: string): UnknownId | null {
  return findIssuer(id)
    ? null
    : unknown(
        'issuer',
        '--issuer',
        id,
        issuers.map((i) => i.id),
      );
}

/** null when `id` names a transit city in the catalogue. */
export function checkCity(id: string): UnknownId | null {
  return findCity(id)
    ? null
    : unknown(
        'city',
        '--city',
        id,
        transitCities.map((c) => c.id),
      );
}
