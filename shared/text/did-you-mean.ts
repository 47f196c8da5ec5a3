/**
 * "Did you mean …?" for ids people type (git and npm suggest the same way): the
 * Damerau–Levenshtein distance (optimal string alignment: insert, delete, substitute,
 * swap two neighbours — the four typing slips) to each known id, and the nearest one
 * if it is close enough to be a slip rather than a different word.
 */

/** Edits (insert, delete, substitute, transpose neighbours) from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][cols - 1];
}

/**
 * The known id nearest to `typed` (case-insensitive), or null when none is within a
 * third of the longer word's length (at least 1, at most 3 edits): "shangai" → "shanghai",
 * "icbcc" → "icbc", but "paris" suggests nothing. A word that begins exactly one id is
 * taken as its abbreviation first ("hsbc" → "hsbc-hk", not the one-edit "psbc").
 */
export function nearest(typed: string, known: readonly string[]): string | null {
  const word = typed.toLowerCase();
  const extended = word.length >= 2 ? known.filter((id) => id.toLowerCase().startsWith(word)) : [];
  if (extended.length === 1) return extended[0];
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const id of known) {
    const distance = editDistance(word, id.toLowerCase());
    const allowed = Math.min(3, Math.max(1, Math.floor(Math.max(word.length, id.length) / 3)));
    if (distance <= allowed && distance < bestDistance) {
      best = id;
      bestDistance = distance;
    }
  }
  return best;
}
