/**
 * Seeded generators for the HTTP fuzz test: a small PRNG (mulberry32) and makers of hostile
 * JSON, strings, base64url and bodies. Deterministic for a seed, so a failure names the
 * seed and case index that reproduce it.
 */
import { toBase64Url } from '../../../checkout/api/base64url.ts';

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** [0, 1) */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

/** encodeURIComponent that also takes lone surrogates (as U+FFFD). */
export function encodeSegment(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
}

/** A stable seed per name, so adding a route does not change the cases of the others. */
export function seedOf(name: string, base: number): number {
  let h = base ^ 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  '../../etc/passwd',
  '%00',
  '%zz',
  '\ud800',
  '😀',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  'A'.repeat(70),
  'a'.repeat(5000),
  '\r\nx-injected: 1',
  'CNY',
  'icbc',
  'bj-yikatong',
  '__proto__',
  'constructor',
  'AAAA',
  'AAAA=',
  'AA==',
  '-_-_',
  '+/+/',
  'Zm9v\n',
  'ZmZ',
  'Zg',
  'Z',
];
const ODD_NUMBERS = [0, -1, 1, 0.5, -0.0, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, 1e-308, 99999999999];
const KEYS = [
  'username',
  'password',
  'hello',
  'answer',
  'amount',
  'currency',
  'outTradeNo',
  'code',
  'publicKey',
  'express',
  '__proto__',
  'constructor',
  'prototype',
  '',
];

export function oddString(r: Rng): string {
  switch (r.int(4)) {
    case 0:
      return r.pick(ODD_STRINGS);
    case 1:
      return Array.from({ length: r.int(40) }, () => String.fromCharCode(r.int(0x3000))).join('');
    case 2:
      return toBase64Url(r.bytes(r.int(300)));
    default:
      return Buffer.from(r.bytes(r.int(60))).toString('base64'); // padded, with + and /
  }
}

/** Any JSON value, at most `depth` deep. */
export function jsonValue(r: Rng, depth = 3): unknown {
  const k = r.int(depth > 0 ? 8 : 5);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick(ODD_NUMBERS);
    case 3:
    case 4:
      return oddString(r);
    case 5:
      return Array.from({ length: r.int(4) }, () => jsonValue(r, depth - 1));
    default: {
      // Null prototype: "__proto__" becomes a real key (and reaches the JSON) instead of a setter call.
      const o: Record<string, unknown> = Object.create(null);
      for (let i = r.int(5); i > 0; i--) o[r.chance(0.6) ? r.pick(KEYS) : oddString(r)] = jsonValue(r, depth - 1);
      return o;
    }
  }
}

/** Flips, truncates, extends or replaces bytes of a valid protocol message. */
export function mutateBytes(r: Rng, valid: Uint8Array): Uint8Array {
  const b = new Uint8Array(valid);
  switch (r.int(5)) {
    case 0:
      if (b.length) b[r.int(b.length)] ^= 1 << r.int(8);
      return b;
    case 1:
      return b.subarray(0, r.int(b.length + 1));
    case 2: {
      const out = new Uint8Array(b.length + 1 + r.int(40));
      out.set(b);
      out.set(r.bytes(out.length - b.length), b.length);
      return out;
    }
    case 3:
      return r.bytes(r.int(2100));
    default:
      if (b.length) b[r.int(b.length)] = r.int(256);
      return b;
  }
}

/** A valid body with one field replaced, dropped, added or (for message fields) corrupted. */
export function mutateBody(
  r: Rng,
  valid: Record<string, unknown>,
  messages: Record<string, Uint8Array>,
): Record<string, unknown> {
  const out: Record<string, unknown> = Object.assign(Object.create(null), valid);
  const keys = Object.keys(out);
  const key = keys.length ? r.pick(keys) : r.pick(KEYS);
  switch (r.int(5)) {
    case 0:
      out[key] = jsonValue(r, 1);
      break;
    case 1:
      delete out[key];
      break;
    case 2:
      out[r.pick(KEYS)] = jsonValue(r, 2);
      break;
    case 3:
      if (messages[key]) out[key] = toBase64Url(mutateBytes(r, messages[key]));
      else out[key] = oddString(r);
      break;
    default:
      out[key] = `${String(out[key] ?? '')}${r.pick(['=', '==', ' ', '\n', '+', '/', '%'])}`;
  }
  return out;
}

/** A body as an HTML form would send it (values that are not strings as JSON text). */
export function formEncode(body: Record<string, unknown>): string {
  return new URLSearchParams(
    Object.keys(body).map((k) => [
      k,
      typeof body[k] === 'string' ? (body[k] as string) : (JSON.stringify(body[k]) ?? ''),
    ]),
  ).toString();
}

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/cbor',
  'application/json; charset=utf-16',
  '',
  '*/*',
  'application/json, text/html',
];
