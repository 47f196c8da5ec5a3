/**
 * Hand-made CBOR for hostile-input tests: maps as raw (key bytes, value bytes) entries so
 * that a test can put anything the encoder refuses to write (non-shortest heads, unsorted
 * or duplicate keys, indefinite lengths, floats, undefined) exactly where it wants it.
 */
import { CborMap, type CborValue, encodeCbor } from '../../shared/cbor/index.ts';

export interface Entry {
  k: Uint8Array;
  v: Uint8Array;
}

export const enc = (v: CborValue): Uint8Array => encodeCbor(v);
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The shortest argument width (0 = in the initial byte) for `n`. */
export function shortestWidth(n: number): 0 | 1 | 2 | 4 | 8 {
  return n < 24 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 2 ** 32 ? 4 : 8;
}

/** The next wider argument than the shortest one: a non-canonical head for the same value. */
export function widerWidth(n: number): 1 | 2 | 4 | 8 {
  const w = shortestWidth(n);
  return w === 0 ? 1 : w === 1 ? 2 : w === 2 ? 4 : 8;
}

/** A CBOR head (RFC 8949 §3) with the argument `n` written in `width` bytes (default shortest). */
export function head(major: number, n: number, width: 0 | 1 | 2 | 4 | 8 = shortestWidth(n)): Uint8Array {
  const mt = major << 5;
  if (width === 0) return new Uint8Array([mt | n]);
  const out = new Uint8Array(1 + width);
  out[0] = mt | (width === 1 ? 24 : width === 2 ? 25 : width === 4 ? 26 : 27);
  let v = n;
  for (let i = width; i >= 1; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => compareBytes(a, b) === 0;

/** Entries sorted the deterministic way (bytewise order of the encoded keys). */
export function sorted(entries: Entry[]): Entry[] {
  return [...entries].sort((a, b) => compareBytes(a.k, b.k));
}

export function entriesOf(m: CborMap): Entry[] {
  return sorted(m.keys.map((k, i) => ({ k: enc(k), v: enc(m.values[i]) })));
}

/** A map from entries, in the order given; `mapHead` replaces the canonical head. */
export function mapBytes(entries: Entry[], mapHead: Uint8Array = head(5, entries.length)): Uint8Array {
  return concat(mapHead, ...entries.flatMap((e) => [e.k, e.v]));
}

export function without(entries: Entry[], key: Uint8Array): Entry[] {
  return entries.filter((e) => !sameBytes(e.k, key));
}

/** Replace (or add) the value under `key`, keeping the entries sorted. */
export function withValue(entries: Entry[], key: Uint8Array, v: Uint8Array): Entry[] {
  return sorted([...without(entries, key), { k: key, v }]);
}

/** `v` with its head re-written one width wider (ints, lengths of strings/arrays/maps). */
export function widenHead(v: Uint8Array): Uint8Array {
  const major = v[0] >> 5;
  const ai = v[0] & 31;
  let n: number;
  let used: number;
  if (ai < 24) [n, used] = [ai, 1];
  else {
    const w = 1 << (ai - 24);
    n = 0;
    for (let i = 1; i <= w; i++) n = n * 256 + v[i];
    used = 1 + w;
  }
  return concat(head(major, n, widerWidth(n)), v.subarray(used));
}

/** A byte or text string as an indefinite-length string of one chunk (§3.2.3). */
export function indefinite(v: Uint8Array): Uint8Array {
  const major = v[0] >> 5;
  return concat(new Uint8Array([(major << 5) | 31]), v, new Uint8Array([0xff]));
}

/** `depth` arrays around the integer 1: [[...[1]...]]. */
export function nestedArrays(depth: number): Uint8Array {
  const out = new Uint8Array(depth + 1);
  out.fill(0x81, 0, depth);
  out[depth] = 0x01;
  return out;
}

/**
 * One value of every CBOR type the data model has, plus the ones the strict profile
 * refuses outright (floats, undefined, other simple values). Keyed by kind, so a field's
 * own kind can be left out.
 */
export const WRONG_TYPES: Array<{ kind: string; bytes: Uint8Array }> = [
  { kind: 'uint', bytes: enc(7) },
  { kind: 'negint', bytes: enc(-7) },
  { kind: 'bytes', bytes: enc(new Uint8Array([1, 2])) },
  { kind: 'text', bytes: enc('x') },
  { kind: 'array', bytes: enc([1]) },
  { kind: 'map', bytes: enc(new CborMap([1], [1])) },
  { kind: 'tag', bytes: fromHex('c100') }, // 1(0), an epoch time
  { kind: 'bool', bytes: enc(true) },
  { kind: 'bool', bytes: enc(false) },
  { kind: 'null', bytes: enc(null) },
  { kind: 'undefined', bytes: fromHex('f7') },
  { kind: 'simple', bytes: fromHex('f0') }, // simple(16)
  { kind: 'float', bytes: fromHex('f93c00') }, // 1.0 as a half float
  { kind: 'float', bytes: fromHex('fb3ff0000000000000') }, // 1.0 as a double: integral, still a float
];
