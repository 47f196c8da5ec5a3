/**
 * Merchant display names: what the band shows as "pay <name>?" (docs/PROTOCOL.md), so
 * they must not be forgeable by a second merchant. Two names that a wearer cannot tell
 * apart on the band's screen fold to the same key, and the store keeps keys unique
 * (a UNIQUE index, sqlite/migrations.ts version 5):
 *
 *   - compatibility forms (fullwidth "Ｓｈｏｐ", ligatures, superscripts): NFKC (UAX #15);
 *   - case, including the full folds ("ß" ~ "SS"): upper then lower case, NFKC again;
 *   - whitespace: every run of Unicode white space is one space, none at the ends.
 *
 * Names holding characters a screen shows as nothing or as something else are refused
 * outright (UTS #39 §3.1 "Identifier restriction": controls, format characters such as
 * zero-width joiners and bidi overrides, default-ignorables, private use, unassigned,
 * line and paragraph separators). Confusable scripts (Cyrillic "Ѕһор") are a further
 * step (UTS #39 skeletons) that this does not take.
 */

/** Characters refused anywhere in a display name. */
const INVISIBLE = /[\p{C}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

export const MAX_DISPLAY_NAME = 32;

/** The name as stored and shown: NFC, white-space runs as one space, trimmed. */
export function cleanDisplayName(name: string): string {
  return name.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/** Why the name cannot be shown, or null when it can. */
export function displayNameProblem(name: string): string | null {
  if (INVISIBLE.test(name)) return 'displayName: no control, invisible or format characters';
  const clean = cleanDisplayName(name);
  if (clean.length === 0 || clean.length > MAX_DISPLAY_NAME)
    return `displayName: 1 to ${MAX_DISPLAY_NAME} characters (shown on the band)`;
  return null;
}

/** The key two names share when a wearer could not tell them apart. */
export function displayNameKey(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
}
