/**
 * Character checks that run on the band. Small ES5 loops over UTF-16 code units: the
 * band's engine has no RegExp (sim/engine/quickjs-profile.ts), so nothing the firmware
 * imports may use a regular expression. Host-only code may keep its regexes.
 */

/** True when `s` has exactly `length` characters, each a code unit in [lo, hi]. */
function allBetween(s: string, length: number, lo: number, hi: number): boolean {
  if (s.length !== length) return false;
  for (let i = 0; i < length; i++) {
    const c = s.charCodeAt(i);
    if (c < lo || c > hi) return false;
  }
  return true;
}

/** An ISO 4217 alphabetic code: exactly three capital letters A–Z. */
export function isCurrencyCode(s: string): boolean {
  return allBetween(s, 3, 0x41, 0x5a);
}

/** A card's "last 4": exactly four ASCII digits 0–9. */
export function isLast4(s: string): boolean {
  return allBetween(s, 4, 0x30, 0x39);
}
