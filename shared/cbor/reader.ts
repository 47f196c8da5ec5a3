/**
 * The low level of the CBOR decoder: decoder state, the head reader (RFC 8949 §3) and
 * the bounds every item is checked against. Split from decode.ts, which builds values.
 * ES5 engine profile, like the rest of shared/cbor. Refusals are thrown as `Refusal`
 * and caught once, in decodeCborPrefix; nothing escapes the decoder as a throw.
 */

/** An internal refusal, thrown inside the decoder and turned into a Result at the top. */
export class Refusal {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

export function refuse(reason: string): never {
  throw new Refusal(reason);
}

export const TWO32 = 4294967296;
/** The largest `hi` word of a 64-bit argument that keeps the value <= 2^53-1. */
export const SAFE_HI = 0x1fffff;

export interface State {
  b: Uint8Array;
  view: DataView;
  p: number;
  end: number;
  strict: boolean;
  maxDepth: number;
  items: number;
  maxItems: number;
  // The head just read (RFC 8949 §3): major type, additional info, argument.
  major: number;
  ai: number;
  /** The argument as a JS number; exact up to 2^53, nearest double above that. */
  arg: number;
  /** High and low 32-bit words of an 8-byte argument (hi is 0 for shorter ones). */
  hi: number;
  lo: number;
  /** Offset of the argument bytes (floats are read from there). */
  argAt: number;
}

function u32(b: Uint8Array, p: number): number {
  return b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
}

/** Read one head (RFC 8949 §3): initial byte plus 0/1/2/4/8 argument bytes. */
export function head(s: State): void {
  if (s.p >= s.end) refuse('end of input in a head');
  const ib = s.b[s.p++];
  const ai = ib & 31;
  s.major = ib >> 5;
  s.ai = ai;
  s.hi = 0;
  s.argAt = s.p;
  if (ai < 24) {
    s.arg = s.lo = ai;
    return;
  }
  if (ai === 31) {
    s.arg = s.lo = -1; // indefinite length or break; the caller decides (§3.2)
    return;
  }
  if (ai > 27) refuse('reserved additional information ' + ai); // §3, Appendix F subkind 1
  const n = 1 << (ai - 24);
  if (s.end - s.p < n) refuse('end of input in a head');
  const b = s.b;
  const p = s.p;
  if (n === 1) s.lo = b[p];
  else if (n === 2) s.lo = (b[p] << 8) | b[p + 1];
  else if (n === 4) s.lo = u32(b, p);
  else {
    s.hi = u32(b, p);
    s.lo = u32(b, p + 4);
  }
  // hi * 2^32 is exact; adding lo rounds once, to the nearest double.
  s.arg = s.hi * TWO32 + s.lo;
  s.p += n;
  // Preferred serialization (§4.2.1): the shortest argument that holds the value.
  // Major type 7 is checked separately (simple values and floats).
  if (s.strict && s.major !== 7) {
    const short =
      (ai === 24 && s.arg < 24) ||
      (ai === 25 && s.arg < 0x100) ||
      (ai === 26 && s.arg < 0x10000) ||
      (ai === 27 && s.hi === 0);
    if (short) refuse('argument not in its shortest form');
  }
}

/** A definite length that must fit in what is left of the input (needs >= `per` bytes per unit). */
export function length(s: State, per: number): number {
  if (s.hi !== 0 || s.arg * per > s.end - s.p) refuse('length beyond the end of input');
  return s.arg;
}

export function count(s: State): void {
  if (++s.items > s.maxItems) refuse('more than ' + s.maxItems + ' data items');
}

export function enter(s: State, depth: number): number {
  if (depth + 1 > s.maxDepth) refuse('nesting deeper than ' + s.maxDepth);
  return depth + 1;
}

export function copyBytes(s: State, len: number): Uint8Array {
  // Copy (subarray + set; no TypedArray.slice on ES5 engines) so the value does not alias the input.
  const out = new Uint8Array(len);
  out.set(s.b.subarray(s.p, s.p + len));
  s.p += len;
  return out;
}
