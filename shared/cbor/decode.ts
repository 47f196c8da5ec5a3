/**
 * Single-item CBOR decoder for untrusted bytes (radio, HTTP, flash), RFC 8949.
 *
 * Runs on ES5 engines (Duktape, Espruino, QuickJS): no Map/Set, BigInt, TextDecoder,
 * Math.imul, Array.from, Symbol or TypedArray.prototype.slice. It never throws: every
 * refusal is a Result with a status (MALFORMED; OVERSIZE for input above maxBytes).
 *
 * Two modes:
 * - strict (default): RFC 8949 §4.2.1 core deterministic encoding, narrowed to the
 *   wristpay profile: preferred arguments (§4.2.1, §3), definite lengths only, map keys
 *   int or text, sorted bytewise by their encoding with no duplicates, integers within
 *   ±(2^53-1), no floats, simple values only false/true/null, tags up to 2^32-1.
 * - non-strict: any well-formed item (RFC 8949 Appendix F): floats, indefinite lengths,
 *   undefined and other simple values, duplicate keys (last wins), big integers as the
 *   nearest JS number, bignums (tags 2/3) as CborTag.
 * Both modes refuse what is not well-formed, text that is not valid UTF-8 (§3.1) and
 * map keys the data model cannot hold (anything but numbers and text).
 */
import { Status } from '../status/codes.ts';
import { type Result, ok, fail } from '../status/error.ts';
import { CborMap, CborSimple, CborTag, type CborValue } from './types.ts';
import { compareRanges } from './key-order.ts';
import { utf8Decode } from './utf8.ts';
import { Refusal, SAFE_HI, type State, TWO32, copyBytes, count, enter, head, length, refuse } from './reader.ts';

export interface DecodeOptions {
  /** Deepest nesting of arrays, maps and tags (the top-level container is depth 1). Default 8. */
  maxDepth?: number;
  /** Largest input accepted, in bytes; larger input is refused with OVERSIZE. Default 4096. */
  maxBytes?: number;
  /** Most data items (every head, string chunks included) in one input. Default 512. */
  maxItems?: number;
  /** RFC 8949 §4.2.1 deterministic profile (see above). Default true. */
  strict?: boolean;
  /** Accept bytes after the first item (a CBOR sequence, RFC 8742). Default false. */
  allowTrailing?: boolean;
}

function text(s: State, len: number): string {
  const str = utf8Decode(s.b, s.p, s.p + len);
  if (str === null) refuse('text string is not valid UTF-8'); // §3.1
  s.p += len;
  return str as string;
}

/** Indefinite-length string (§3.2.3): definite chunks of the same major type until a break. */
function chunks(s: State, major: number): Uint8Array | string {
  const parts: Uint8Array[] = [];
  let total = 0;
  let str = '';
  for (;;) {
    if (s.p >= s.end) refuse('indefinite-length string not closed by a break');
    if (s.b[s.p] === 0xff) {
      s.p++;
      break;
    }
    count(s);
    head(s);
    if (s.major !== major) refuse('indefinite-length string chunk of the wrong type');
    if (s.ai === 31) refuse('indefinite-length string chunk not of definite length');
    const len = length(s, 1);
    if (major === 3)
      str += text(s, len); // each chunk must be valid UTF-8 on its own
    else {
      parts.push(copyBytes(s, len));
      total += len;
    }
  }
  if (major === 3) return str;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

function isBreak(s: State): boolean {
  if (s.p >= s.end) refuse('indefinite-length item not closed by a break');
  if (s.b[s.p] !== 0xff) return false;
  s.p++;
  return true;
}

function map(s: State, depth: number, indefinite: boolean): CborMap {
  const n = indefinite ? -1 : length(s, 2);
  if (!indefinite && s.items + 2 * n > s.maxItems) refuse('more than ' + s.maxItems + ' data items');
  const m = new CborMap();
  let prevStart = -1;
  let prevEnd = -1;
  for (let i = 0; indefinite ? !isBreak(s) : i < n; i++) {
    const keyStart = s.p;
    const key = item(s, depth);
    const keyEnd = s.p;
    if (typeof key !== 'number' && typeof key !== 'string') refuse('map key is not an integer or text string');
    if (s.strict) {
      // §4.2.1: keys sorted by the bytewise lexicographic order of their encodings, no duplicates.
      if (prevStart >= 0) {
        const c = compareRanges(s.b, prevStart, prevEnd, keyStart, keyEnd);
        if (c === 0) refuse('duplicate map key');
        if (c > 0) refuse('map keys not in deterministic order');
      }
      prevStart = keyStart;
      prevEnd = keyEnd;
      m.keys.push(key as number | string);
      m.values.push(item(s, depth));
    } else {
      m.set(key as number | string, item(s, depth)); // duplicates: the last one wins
    }
  }
  return m;
}

function array(s: State, depth: number, indefinite: boolean): CborValue[] {
  const n = indefinite ? -1 : length(s, 1);
  if (!indefinite && s.items + n > s.maxItems) refuse('more than ' + s.maxItems + ' data items');
  const a: CborValue[] = [];
  for (let i = 0; indefinite ? !isBreak(s) : i < n; i++) a.push(item(s, depth));
  return a;
}

function halfFloat(h: number): number {
  // IEEE 754 binary16 (RFC 8949 Appendix D), decoded by hand: DataView has no getFloat16 on ES5 engines.
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  let v: number;
  if (exp === 0) v = mant * Math.pow(2, -24);
  else if (exp === 31) v = mant === 0 ? Infinity : NaN;
  else v = (mant + 1024) * Math.pow(2, exp - 25);
  return h & 0x8000 ? -v : v;
}

/** Major type 7 (§3.3): simple values and floats. */
function simple(s: State): CborValue {
  const ai = s.ai;
  if (ai === 31) refuse('break outside an indefinite-length item'); // Appendix F subkind 4
  if (ai === 24 && s.lo < 32) refuse('two-byte encoding of a simple value below 32'); // §3.3
  if (ai >= 25 && ai <= 27) {
    if (s.strict) refuse('floating-point values are not in the profile');
    if (ai === 25) return halfFloat(s.lo);
    return ai === 26 ? s.view.getFloat32(s.argAt) : s.view.getFloat64(s.argAt);
  }
  const v = s.lo;
  if (v === 20) return false;
  if (v === 21) return true;
  if (v === 22) return null;
  if (s.strict) refuse(v === 23 ? 'undefined is not in the profile' : 'simple value ' + v + ' is not in the profile');
  return v === 23 ? undefined : new CborSimple(v);
}

function item(s: State, depth: number): CborValue {
  count(s);
  head(s);
  const major = s.major;
  const indefinite = s.ai === 31;
  if (indefinite && (major < 2 || major === 6)) refuse('additional information 31 on major type ' + major);
  if (indefinite && s.strict && major !== 7) refuse('indefinite length is not deterministic'); // §4.2.1
  switch (major) {
    case 0:
      if (s.strict && s.hi > SAFE_HI) refuse('integer beyond 2^53-1');
      return s.arg;
    case 1:
      // -1 - n, computed as -(hi * 2^32 + (lo + 1)) so it rounds only once.
      if (s.strict && (s.hi > SAFE_HI || (s.hi === SAFE_HI && s.lo === 0xffffffff))) refuse('integer below -(2^53-1)');
      return -(s.hi * TWO32 + (s.lo + 1));
    case 2:
      return indefinite ? chunks(s, 2) : copyBytes(s, length(s, 1));
    case 3:
      return indefinite ? chunks(s, 3) : text(s, length(s, 1));
    case 4:
      return array(s, enter(s, depth), indefinite);
    case 5:
      return map(s, enter(s, depth), indefinite);
    case 6: {
      if (s.strict && s.hi !== 0) refuse('tag number beyond 2^32-1');
      const tag = s.arg;
      return new CborTag(tag, item(s, enter(s, depth)));
    }
    default:
      return simple(s);
  }
}

function opt(v: number | undefined, dflt: number): number {
  return typeof v === 'number' && v >= 0 ? v : dflt;
}

/**
 * Decode the first item of `bytes` and report how many bytes it took. With
 * allowTrailing false (the default) bytes after the item are refused.
 */
export function decodeCborPrefix(
  bytes: Uint8Array,
  options?: DecodeOptions,
): Result<{ value: CborValue; length: number }> {
  const o = options || {};
  if (!(bytes instanceof Uint8Array)) return fail(Status.MALFORMED, 'input is not a Uint8Array');
  const maxBytes = opt(o.maxBytes, 4096);
  if (bytes.length > maxBytes) return fail(Status.OVERSIZE, 'input of ' + bytes.length + ' bytes exceeds ' + maxBytes);
  const s: State = {
    b: bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    p: 0,
    end: bytes.length,
    strict: o.strict !== false,
    maxDepth: opt(o.maxDepth, 8),
    items: 0,
    maxItems: opt(o.maxItems, 512),
    major: 0,
    ai: 0,
    arg: 0,
    hi: 0,
    lo: 0,
    argAt: 0,
  };
  let value: CborValue;
  try {
    value = item(s, 0);
  } catch (e) {
    if (e instanceof Refusal) return fail(Status.MALFORMED, e.reason);
    // A bug, not an input problem; still never escape as a throw (untrusted-input contract).
    return fail(Status.INTERNAL, 'decoder error: ' + String(e));
  }
  if (o.allowTrailing !== true && s.p !== s.end) return fail(Status.MALFORMED, 'trailing bytes after the item');
  return ok({ value, length: s.p });
}

/** Decode exactly one CBOR item from untrusted bytes (see the module comment for the modes). */
export function decodeCbor(bytes: Uint8Array, options?: DecodeOptions): Result<CborValue> {
  const r = decodeCborPrefix(bytes, options);
  return r.ok ? ok(r.value.value) : r;
}
