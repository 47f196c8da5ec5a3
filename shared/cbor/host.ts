/**
 * Node-side deterministic CBOR encoder on cbor-x (RFC 8949 §4.2.1), for the bridge,
 * the checkout and the tests. The firmware never imports this file (cbor-x needs
 * Map, BigInt, TextEncoder/Buffer); it uses encode.ts, which must produce the same bytes.
 *
 * cbor-x is not deterministic out of the box. What it takes (cbor-x 1.6, encode.js):
 * - useRecords: false, else objects become record-extension structures (tags 0xE000+).
 * - mapsAsObjects: false plus useTag259ForMaps: false, else a JS Map is wrapped in tag 259
 *   (with useRecords false, tag 259 defaults to on when maps decode as objects).
 * - tagUint8Array: false, else on Node every Uint8Array is wrapped in tag 64 (RFC 8746).
 * - Safe integers beyond 32 bits must be passed as BigInt: cbor-x writes a JS number
 *   that does not fit uint32/int32 (or -2^32..-1) as a float64 (0xfb), never as 0x1b/0x3b.
 * - Maps are written in the JS Map's iteration order, so the keys are inserted here
 *   sorted by their encoded bytes (computed with the same encoder).
 * - encode() returns a view of a shared, reused buffer: copy before the next call.
 * Floats are outside the profile and refused here too, as in encode.ts.
 */
import { Encoder, Tag, type Options } from 'cbor-x';
import { CborMap, CborTag, type CborValue } from './types.ts';

// useTag259ForMaps is read by cbor-x but missing from its Options type.
const options: Options & { useTag259ForMaps: boolean } = {
  useRecords: false,
  mapsAsObjects: false,
  useTag259ForMaps: false,
  variableMapSize: true,
  tagUint8Array: false,
  useFloat32: 0,
  alwaysUseFloat: false,
  pack: false,
  structuredClone: false,
  bundleStrings: false,
  sequential: false,
  largeBigIntToFloat: false,
  encodeUndefinedAsNil: false,
  useSelfDescribedHeader: false,
  useToJSON: false,
};
const encoder = new Encoder(options);

const TWO32 = 4294967296;

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** A private copy: encoder.encode returns a view into a buffer it reuses. */
function encodeCopy(v: unknown): Uint8Array {
  return new Uint8Array(encoder.encode(v));
}

function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

/** Translate the wristpay data model into what cbor-x writes deterministically. */
function toHost(v: CborValue, depth: number): unknown {
  if (depth > 64) throw new Error('CBOR profile: nesting deeper than 64 (a cycle?)');
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error(`CBOR profile: ${v} is not an integer within ±(2^53-1)`);
    if (v >= TWO32 || v < -TWO32) return BigInt(v);
    return v === 0 ? 0 : v; // -0 → 0
  }
  if (typeof v === 'string') {
    // cbor-x writes lone surrogates as WTF-8 (short strings) or U+FFFD (long ones); neither is valid.
    if (hasLoneSurrogate(v)) throw new Error('CBOR profile: text string holds a lone UTF-16 surrogate');
    return v;
  }
  if (typeof v === 'boolean' || v === null) return v;
  if (v instanceof Uint8Array) return v.constructor === Uint8Array ? v : new Uint8Array(v);
  if (Array.isArray(v)) return v.map((x) => toHost(x, depth + 1));
  if (v instanceof CborMap) {
    if (v.keys.length !== v.values.length) throw new Error('CBOR profile: CborMap keys and values differ in length');
    const entries = v.keys.map((k, i) => {
      if (typeof k !== 'number' && typeof k !== 'string') {
        throw new Error('CBOR profile: map keys must be integers or text strings');
      }
      const key = toHost(k, depth + 1);
      return { key, bytes: encodeCopy(key), value: toHost(v.values[i], depth + 1) };
    });
    // RFC 8949 §4.2.1: bytewise lexicographic order of the deterministic key encodings.
    entries.sort((a, b) => compareBytes(a.bytes, b.bytes));
    const out = new Map<unknown, unknown>();
    for (let i = 0; i < entries.length; i++) {
      if (i > 0 && compareBytes(entries[i - 1].bytes, entries[i].bytes) === 0) {
        throw new Error('CBOR profile: duplicate map key');
      }
      out.set(entries[i].key, entries[i].value);
    }
    return out;
  }
  if (v instanceof CborTag) {
    if (!Number.isInteger(v.tag) || v.tag < 0 || v.tag >= TWO32) {
      throw new Error('CBOR profile: tag number must be an integer in 0..2^32-1');
    }
    return new Tag(toHost(v.value, depth + 1), v.tag); // cbor-x's Tag takes (value, tag)
  }
  throw new Error(`CBOR profile: cannot encode ${v === undefined ? 'undefined' : Object.prototype.toString.call(v)}`);
}

/** Deterministic CBOR (RFC 8949 §4.2.1) via cbor-x; byte-identical to encodeCbor. Returns a fresh array. */
export function encodeCborHost(value: CborValue): Uint8Array {
  return encodeCopy(toHost(value, 0));
}
