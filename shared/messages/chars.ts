/**
 * Character checks that run on the band. Small ES5 loops over UTF-16 code units: the
 * band's engine has no RegExp (sim/engine/quickjs-profile.ts), so nothing the firmware
 * imports may use a regular expression. Host-only code may keep its regexes.
 */

// Each check writes its loop out rather than sharing a helper: every function costs the
// band's heap ~190 bytes.

/** An ISO 4217 alphabetic code: exactly three capital letters A–Z. */
export function isCurrencyCode(s: string): boolean {
  if (s.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x41 || c > 0x5a) return false;
  }
  return true;
}

/** A card's "last 4": exactly four ASCII digits 0–9. */
export function isLast4(s: string): boolean {
  if (s.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}
