/**
 * The order of map keys in deterministic CBOR (RFC 8949 §4.2.1): the bytewise lexicographic
 * order of their encodings. One function for the encoder (which sorts) and the decoder
 * (which checks): the band bundles both, and each function costs its heap ~190 bytes.
 */

/** Compares b[as..ae) with b[bs..be) bytewise; a proper prefix sorts first. */
export function compareRanges(b: Uint8Array, as: number, ae: number, bs: number, be: number): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const d = b[as + i] - b[bs + i];
    if (d !== 0) return d;
  }
  return la - lb;
}
