/**
 * Compact deterministic CBOR encoder (RFC 8949 §4.2.1 core deterministic encoding)
 * for the wristpay profile: integers within ±(2^53-1), text, bytes, arrays, CborMaps
 * with integer or text keys, tags up to 2^32-1, false/true/null.
 *
 * Same engine profile as the decoder (ES5 built-ins plus Uint8Array): no BigInt, no
 * TextEncoder, no Map. Its input is our own data, so anything outside the profile is a
 * programmer error and throws an Error (floats, undefined, other simple values,
 * duplicate keys, lone surrogates, cycles). Output is byte-identical to the cbor-x
 * host encoder (host.ts); the property tests hold the two together.
 */
import { CborMap, CborTag, type CborValue } from './types.ts';
import { compareRanges } from './key-order.ts';
import { utf8Length, utf8Write } from './utf8.ts';

const TWO32 = 4294967296;
const MAX_SAFE = 9007199254740991; // 2^53-1, written out: Number.MAX_SAFE_INTEGER is ES2015
/** Deep enough for any protocol message; stops runaway recursion on cyclic arrays. */
const MAX_DEPTH = 64;

/** One growable output buffer per encodeCbor call: items are written in place, never concatenated. */
interface Writer {
  buf: Uint8Array;
  pos: number;
}

function room(w: Writer, n: number): void {
  if (w.pos + n <= w.buf.length) return;
  let cap = w.buf.length * 2;
  while (cap < w.pos + n) cap *= 2;
  const next = new Uint8Array(cap);
  next.set(w.buf.subarray(0, w.pos));
  w.buf = next;
}

/** A head with the shortest argument that holds `n` (preferred serialization, §4.2.1 / §3). */
function writeHead(w: Writer, major: number, n: number): void {
  room(w, 9);
  const b = w.buf;
  // The argument's length after the initial byte (0, 1, 2, 4 or 8: RFC 8949 §3), then its
  // bytes big-endian, low byte last; division, not shifts, as n may be above 2^32.
  const len = n < 24 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : n < TWO32 ? 4 : 8;
  const p = w.pos;
  b[p] = (major << 5) | (len === 0 ? n : len === 1 ? 24 : len === 2 ? 25 : len === 4 ? 26 : 27);
  let x = n;
  for (let i = len; i > 0; i--) {
    b[p + i] = x % 256;
    x = Math.floor(x / 256);
  }
  w.pos = p + 1 + len;
}

function writeInt(w: Writer, v: number): void {
  if (!(Math.floor(v) === v && v <= MAX_SAFE && v >= -MAX_SAFE))
    throw new Error('CBOR profile: ' + v + ' is not an integer within ±(2^53-1)');
  // -0 is encoded as 0 (the data model has one zero); negatives are major type 1 with -1-v (§3.1).
  if (v >= 0) writeHead(w, 0, v);
  else writeHead(w, 1, -1 - v);
}

function writeText(w: Writer, s: string): void {
  const n = utf8Length(s);
  if (n < 0) throw new Error('CBOR profile: text string holds a lone UTF-16 surrogate');
  writeHead(w, 3, n);
  room(w, n);
  w.pos = utf8Write(s, w.buf, w.pos);
}

/**
 * A map (§4.2.1): entries are written in insertion order, then the entry ranges are
 * reordered in place by the bytewise order of their encoded keys. Comparing encodings
 * rather than values is what the RFC specifies, and works for mixed int/text keys.
 */
function writeMap(w: Writer, m: CborMap, depth: number): void {
  const n = m.keys.length;
  if (m.values.length !== n) throw new Error('CBOR profile: CborMap keys and values differ in length');
  writeHead(w, 5, n);
  const base = w.pos;
  const keyStart: number[] = [];
  const keyEnd: number[] = [];
  const end: number[] = [];
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = m.keys[i];
    keyStart.push(w.pos);
    if (typeof k === 'number') writeInt(w, k);
    else if (typeof k === 'string') writeText(w, k);
    else throw new Error('CBOR profile: map keys must be integers or text strings');
    keyEnd.push(w.pos);
    write(w, m.values[i], depth);
    end.push(w.pos);
    order.push(i);
  }
  if (n < 2) return;
  const b = w.buf;
  order.sort(function (x, y) {
    return compareRanges(b, keyStart[x], keyEnd[x], keyStart[y], keyEnd[y]);
  });
  let sorted = true;
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const c = compareRanges(b, keyStart[order[i - 1]], keyEnd[order[i - 1]], keyStart[order[i]], keyEnd[order[i]]);
      if (c === 0) throw new Error('CBOR profile: duplicate map key');
    }
    if (order[i] !== i) sorted = false;
  }
  if (sorted) return;
  const copy = new Uint8Array(w.pos - base);
  copy.set(b.subarray(base, w.pos));
  let p = base;
  for (let i = 0; i < n; i++) {
    const j = order[i];
    b.set(copy.subarray(keyStart[j] - base, end[j] - base), p);
    p += end[j] - keyStart[j];
  }
}

function write(w: Writer, v: CborValue, depth: number): void {
  if (typeof v === 'number') return writeInt(w, v);
  if (typeof v === 'string') return writeText(w, v);
  if (typeof v === 'boolean') {
    room(w, 1);
    w.buf[w.pos++] = v ? 0xf5 : 0xf4;
    return;
  }
  if (v === null) {
    room(w, 1);
    w.buf[w.pos++] = 0xf6;
    return;
  }
  if (depth >= MAX_DEPTH) throw new Error('CBOR profile: nesting deeper than ' + MAX_DEPTH + ' (a cycle?)');
  if (v instanceof Uint8Array) {
    writeHead(w, 2, v.length);
    room(w, v.length);
    w.buf.set(v, w.pos);
    w.pos += v.length;
    return;
  }
  if (Array.isArray(v)) {
    writeHead(w, 4, v.length);
    for (let i = 0; i < v.length; i++) write(w, v[i], depth + 1);
    return;
  }
  if (v instanceof CborMap) return writeMap(w, v, depth + 1);
  if (v instanceof CborTag) {
    const t = v.tag;
    if (typeof t !== 'number' || Math.floor(t) !== t || t < 0 || t >= TWO32) {
      throw new Error('CBOR profile: tag number must be an integer in 0..2^32-1');
    }
    writeHead(w, 6, t);
    return write(w, v.value, depth + 1);
  }
  // undefined, CborSimple and anything else: outside the deterministic profile.
  throw new Error('CBOR profile: cannot encode a value of type ' + typeof v);
}

/** Encode `value` deterministically (RFC 8949 §4.2.1). Throws for values outside the profile. */
export function encodeCbor(value: CborValue): Uint8Array {
  const w: Writer = { buf: new Uint8Array(256), pos: 0 };
  write(w, value, 0);
  const out = new Uint8Array(w.pos);
  out.set(w.buf.subarray(0, w.pos));
  return out;
}
