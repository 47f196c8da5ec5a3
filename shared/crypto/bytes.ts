/**
 * Byte helpers for protocol code that runs on the band as well as on the host.
 *
 * ES5-safe on purpose (the engine profile, docs/ARCHITECTURE.md): no TextEncoder, no Array.from,
 * no TypedArray.prototype.slice/fill, no BigInt, no Map/Set, no Math.imul, no
 * Number.MAX_SAFE_INTEGER. Only `new Uint8Array(n)`, `subarray` and `set`.
 */
import type { Bytes } from './provider.ts';

/** The largest integer a double holds exactly (Number.MAX_SAFE_INTEGER, which ES5 lacks). */
export const MAX_SAFE_INT = 9007199254740991;

/** A copy of `a` (TypedArray.prototype.slice is not ES5). */
export function copy(a: Bytes): Bytes {
  const out = new Uint8Array(a.length);
  out.set(a);
  return out;
}

/** Concatenate any number of byte strings into a new array. */
export function concat(...parts: Bytes[]): Bytes {
  let total = 0;
  for (let i = 0; i < parts.length; i++) total += parts[i].length;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

/**
 * Equality that takes the same time for every pair of equal-length inputs (it never
 * returns early on the first differing byte). Different lengths return false at once:
 * lengths are public in every protocol here.
 */
export function constantTimeEqual(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** a XOR b; both must have the same length. */
export function xor(a: Bytes, b: Bytes): Bytes {
  if (a.length !== b.length) throw new Error('xor: length mismatch');
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

const HEX = '0123456789abcdef';

/** Lowercase hex of `a`. */
export function toHex(a: Bytes): string {
  let s = '';
  for (let i = 0; i < a.length; i++) s += HEX.charAt(a[i] >> 4) + HEX.charAt(a[i] & 15);
  return s;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/** Parse hex (either case); throws on odd length or a non-hex character. */
export function fromHex(s: string): Bytes {
  if (s.length % 2 !== 0) throw new Error('fromHex: odd length');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(s.charCodeAt(2 * i));
    const lo = nibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new Error('fromHex: not a hex digit');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/**
 * The bytes of an ASCII string (labels such as "HPKE-v1", "eae_prk"). Throws for any
 * character above 0x7f: labels are ASCII and a silent UTF-16 truncation would be a bug.
 */
export function ascii(s: string): Bytes {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) throw new Error('ascii: non-ASCII character');
    out[i] = c;
  }
  return out;
}

/**
 * I2OSP (RFC 8017 §4.1): `n` as a `len`-byte big-endian string. Works for any safe
 * integer (no 32-bit bitwise operators, so values above 2^32 are fine); throws when
 * `n` is negative, not an integer, or does not fit in `len` bytes.
 */
export function i2osp(n: number, len: number): Bytes {
  if (n < 0 || n !== Math.floor(n) || n > MAX_SAFE_INT) throw new Error('i2osp: bad integer');
  const out = new Uint8Array(len);
  let v = n;
  for (let i = len - 1; i >= 0 && v > 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  if (v > 0) throw new Error('i2osp: integer too large');
  return out;
}

/**
 * Compare two equal-length big-endian unsigned integers: -1, 0 or 1. Not constant-time;
 * use for public values (range checks on scalars derived from public transcripts).
 */
export function compareBE(a: Bytes, b: Bytes): number {
  if (a.length !== b.length) throw new Error('compareBE: length mismatch');
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** True when every byte is zero. */
export function isZero(a: Bytes): boolean {
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= a[i];
  return acc === 0;
}
