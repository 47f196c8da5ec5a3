/**
 * The table of hostile inputs, derived from the valid samples in samples.ts: for every
 * target, every key and every field, one mutation per kind of attack, each with the one
 * status the decoder must answer. Cases are grouped by attack so a failure names it.
 */
import type { CborValue } from '../../shared/cbor/index.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import {
  type Entry,
  WRONG_TYPES,
  concat,
  enc,
  entriesOf,
  head,
  indefinite,
  mapBytes,
  nestedArrays,
  sorted,
  widenHead,
  widerWidth,
  sameBytes,
  withValue,
  without,
} from './raw-cbor.ts';
import type { FieldSpec, Target } from './samples.ts';

export type Expect = StatusCode | 'ok';
export interface Case {
  name: string;
  bytes: Uint8Array;
  expect: Expect;
  /** When set, the refusal's detail must match (to show *why* it was refused). */
  detail?: RegExp;
}
export type Group = Record<string, Case[]>;

const M = Status.MALFORMED;
const SAFE = 2 ** 53 - 1;

/** A value of the field's kind with the given length (or value, for uint). */
function sized(f: FieldSpec, n: number): CborValue {
  if (f.kind === 'bytes') return new Uint8Array(n).fill(0x5a);
  if (f.kind === 'text') return 'A'.repeat(n);
  return n;
}

function spareKeys(t: Target): CborValue[] {
  let free = 0;
  while (t.sample.has(free)) free++;
  return [free, 99, 1000, -1, 'x', 'deviceId'];
}

/** Mutations that break one field of the map. */
export function fieldCases(t: Target): Group {
  const base = entriesOf(t.sample);
  const bytes = (entries: Entry[]) => mapBytes(entries);
  const g: Group = {
    missing: [],
    'wrong type': [],
    length: [],
    'value range': [],
    'text key': [],
    'non-shortest value': [],
    'indefinite string': [],
    'over-deep nesting': [],
  };
  for (const key of t.sample.keys) {
    const e = base.find((x) => sameBytes(x.k, enc(key))) as Entry;
    const spec = t.fields.find((f) => f.key === key);
    g.missing.push({ name: 'without key ' + key, bytes: bytes(without(base, e.k)), expect: spec?.optional ? 'ok' : M });
    g['text key'].push({
      name: `key "${key}" instead of ${key}`,
      bytes: bytes(sorted([...without(base, e.k), { k: enc(String(key)), v: e.v }])),
      expect: M,
    });
  }
  for (const f of t.fields) {
    const k = enc(f.key);
    const put = (v: Uint8Array) => bytes(withValue(base, k, v));
    for (const w of WRONG_TYPES) {
      if (w.kind === f.kind) continue;
      g['wrong type'].push({ name: `key ${f.key}: ${w.kind} for ${f.kind}`, bytes: put(w.bytes), expect: M });
    }
    if (f.len !== undefined) {
      for (const n of [0, f.len - 1, f.len + 1, f.len * 2]) {
        g.length.push({
          name: `key ${f.key}: length ${n}, expected ${f.len}`,
          bytes: put(enc(sized(f, n))),
          expect: M,
        });
      }
    }
    if (f.max !== undefined) {
      g.length.push({ name: `key ${f.key}: at max ${f.max}`, bytes: put(enc(sized(f, f.max))), expect: 'ok' });
      g.length.push({ name: `key ${f.key}: max + 1 = ${f.max + 1}`, bytes: put(enc(sized(f, f.max + 1))), expect: M });
      if (f.kind === 'uint') g.length.push({ name: `key ${f.key}: 2^53-1`, bytes: put(enc(SAFE)), expect: M });
      // Text limits are UTF-8 bytes: 'é' is 2 bytes and '支' 3, each one UTF-16 unit.
      if (f.kind === 'text') {
        for (const [ch, w] of [
          ['é', 2],
          ['支', 3],
          ['😀', 4],
        ] as Array<[string, number]>) {
          const fit = Math.floor(f.max / w);
          if (fit > 0)
            g.length.push({
              name: `key ${f.key}: ${fit} × ${ch} (${fit * w} bytes)`,
              bytes: put(enc(ch.repeat(fit))),
              expect: 'ok',
            });
          g.length.push({
            name: `key ${f.key}: ${fit + 1} × ${ch} (${(fit + 1) * w} bytes)`,
            bytes: put(enc(ch.repeat(fit + 1))),
            expect: M,
          });
        }
      }
    }
    for (const v of f.good || [])
      g['value range'].push({ name: `key ${f.key}: ${JSON.stringify(v)} accepted`, bytes: put(enc(v)), expect: 'ok' });
    for (const v of f.bad || [])
      g['value range'].push({ name: `key ${f.key}: ${JSON.stringify(v)} refused`, bytes: put(enc(v)), expect: M });
    for (const v of f.unknown || []) {
      g['value range'].push({ name: `key ${f.key}: unknown ${v}`, bytes: put(enc(v)), expect: Status.UNKNOWN_COMMAND });
      // The discriminator is judged first: an unknown kind wins over any other fault.
      const broken = sorted([...withValue(base, k, enc(v)), { k: enc(99), v: enc('junk') }]);
      g['value range'].push({
        name: `key ${f.key}: unknown ${v} plus an unknown key`,
        bytes: bytes(broken),
        expect: Status.UNKNOWN_COMMAND,
      });
    }
    const own = base.find((e) => sameBytes(e.k, k));
    // Booleans have no argument; an 8-byte argument has no wider form.
    if (own && f.kind !== 'bool' && !sameBytes(widenHead(own.v), own.v)) {
      g['non-shortest value'].push({
        name: `key ${f.key}: value head one width wider`,
        bytes: put(widenHead(own.v)),
        expect: M,
      });
    }
    if (own && (f.kind === 'bytes' || f.kind === 'text')) {
      g['indefinite string'].push({
        name: `key ${f.key}: indefinite-length string`,
        bytes: put(indefinite(own.v)),
        expect: M,
      });
    }
    g['over-deep nesting'].push({
      name: `key ${f.key}: 4 nested arrays`,
      bytes: put(nestedArrays(4)),
      expect: M,
      detail: /nesting/,
    });
    g['over-deep nesting'].push({
      name: `key ${f.key}: 200 nested arrays`,
      bytes: put(nestedArrays(200)),
      expect: M,
      detail: /nesting/,
    });
  }
  return g;
}

/** Mutations of the map as a whole: keys, order, heads. */
export function mapCases(t: Target): Group {
  const base = entriesOf(t.sample);
  const n = base.length;
  const g: Group = {
    'unknown key': [],
    'non-shortest key': [],
    'unsorted keys': [],
    'duplicate key': [],
    'map head': [],
    'not a map': [],
  };
  for (const key of spareKeys(t)) {
    g['unknown key'].push({
      name: `extra key ${JSON.stringify(key)}`,
      bytes: mapBytes(sorted([...base, { k: enc(key), v: enc(0) }])),
      expect: M,
    });
  }
  for (const e of base)
    g['non-shortest key'].push({
      name: `key ${e.k[0]} as ${e.k[0] < 24 ? '0x18 ' : ''}wider head`,
      bytes: mapBytes(sorted(base.map((x) => (x === e ? { k: widenHead(x.k), v: x.v } : x)))),
      expect: M,
    });
  for (let i = 0; i + 1 < n; i++) {
    const swapped = [...base];
    [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
    g['unsorted keys'].push({ name: `entries ${i} and ${i + 1} swapped`, bytes: mapBytes(swapped), expect: M });
  }
  if (n >= 2)
    g['unsorted keys'].push({ name: 'all entries reversed', bytes: mapBytes([...base].reverse()), expect: M });
  for (const e of base) {
    g['duplicate key'].push({
      name: `key ${e.k[0]} twice, same value`,
      bytes: mapBytes(sorted([...base, e])),
      expect: M,
    });
    g['duplicate key'].push({
      name: `key ${e.k[0]} twice, other value`,
      bytes: mapBytes(sorted([...base, { k: e.k, v: enc(0) }])),
      expect: M,
    });
  }
  g['map head'].push({
    name: 'map length in a wider head',
    bytes: mapBytes(base, head(5, n, widerWidth(n))),
    expect: M,
  });
  g['map head'].push({
    name: 'indefinite-length map',
    bytes: concat(new Uint8Array([0xbf]), mapBytes(base).subarray(1), new Uint8Array([0xff])),
    expect: M,
  });
  g['map head'].push({ name: 'map head counts one entry more', bytes: mapBytes(base, head(5, n + 1)), expect: M });
  if (n > 0)
    g['map head'].push({ name: 'map head counts one entry less', bytes: mapBytes(base, head(5, n - 1)), expect: M });
  const body = mapBytes(base);
  g['not a map'].push({
    name: 'the values as an array',
    bytes: concat(head(4, n), ...base.map((e) => e.v)),
    expect: M,
  });
  g['not a map'].push({ name: 'the map inside a byte string', bytes: concat(head(2, body.length), body), expect: M });
  g['not a map'].push({ name: 'the map under tag 24', bytes: concat(new Uint8Array([0xd8, 0x18]), body), expect: M });
  g['not a map'].push({ name: 'an integer', bytes: enc(1), expect: M });
  g['not a map'].push({ name: 'null', bytes: enc(null), expect: M });
  return g;
}

/** Attacks on the input as a whole; only for targets that decode a whole input. */
export function inputCases(t: Target): Group {
  const limit = t.limit as number;
  const base = entriesOf(t.sample);
  const valid = mapBytes(base);
  const g: Group = { empty: [], trailing: [], truncated: [], oversize: [] };
  g.empty.push({ name: 'zero bytes', bytes: new Uint8Array(0), expect: M });
  for (const tail of [[0x00], [0xff], [0xf6], Array.from(valid)]) {
    g.trailing.push({
      name: `followed by ${tail.length} byte(s) ${tail[0].toString(16)}…`,
      bytes: concat(valid, new Uint8Array(tail)),
      expect: M,
    });
  }
  for (let len = 1; len < valid.length; len++)
    g.truncated.push({ name: `first ${len} bytes`, bytes: valid.subarray(0, len), expect: M });
  // A well-formed map padded with an unknown key to exactly `limit` and `limit + 1` bytes.
  const padded = (total: number): Uint8Array => {
    for (let pad = total; pad >= 0; pad--) {
      const b = mapBytes(sorted([...base, { k: enc(9999), v: enc(new Uint8Array(pad)) }]));
      if (b.length === total) return b;
    }
    throw new Error('cannot pad to ' + total);
  };
  g.oversize.push({
    name: `${limit} bytes (at the limit): MALFORMED for the pad key, not OVERSIZE`,
    bytes: padded(limit),
    expect: M,
  });
  g.oversize.push({ name: `${limit + 1} bytes, well-formed`, bytes: padded(limit + 1), expect: Status.OVERSIZE });
  g.oversize.push({
    name: `${limit + 1} bytes of 0xff`,
    bytes: new Uint8Array(limit + 1).fill(0xff),
    expect: Status.OVERSIZE,
  });
  g.oversize.push({
    name: 'valid sample followed by 64 KiB',
    bytes: concat(valid, new Uint8Array(65536)),
    expect: Status.OVERSIZE,
  });
  return g;
}

/** Keys 0 (type) and 1 (version) of the clear-text messages. */
export function headerCases(t: Target): Group {
  const base = entriesOf(t.sample);
  const K0 = enc(0);
  const K1 = enc(1);
  const first = t.fields[0];
  const g: Group = { 'unknown version': [], 'version type': [], 'unknown type': [], 'type type': [] };
  const faults: Array<[string, (e: Entry[]) => Entry[]]> = [
    ['alone', (e) => e],
    ['type missing', (e) => without(e, K0)],
    ['unknown type 99', (e) => withValue(e, K0, enc(99))],
    ['type is text', (e) => withValue(e, K0, enc('info'))],
    ['an unknown key', (e) => sorted([...e, { k: enc(99), v: enc(0) }])],
    ['a text key', (e) => sorted([...e, { k: enc('x'), v: enc(0) }])],
  ];
  if (first) {
    faults.push(['first field missing', (e) => without(e, enc(first.key))]);
    faults.push(['first field mistyped', (e) => withValue(e, enc(first.key), enc([1, 2]))]);
  }
  for (const v of [0, 2, 3, 255, 256, 2 ** 32, SAFE]) {
    for (const [why, f] of faults) {
      g['unknown version'].push({
        name: `version ${v}, ${why}`,
        bytes: mapBytes(f(withValue(base, K1, enc(v)))),
        expect: Status.UNSUPPORTED_VERSION,
      });
    }
  }
  // The CBOR profile is checked before the header: a future version still has to be canonical CBOR.
  g['unknown version'].push({
    name: 'version 2 with unsorted keys: MALFORMED (CBOR profile before version)',
    bytes: mapBytes([...withValue(base, K1, enc(2))].reverse()),
    expect: M,
  });
  for (const w of WRONG_TYPES) {
    if (w.kind === 'uint') continue;
    g['version type'].push({ name: `version as ${w.kind}`, bytes: mapBytes(withValue(base, K1, w.bytes)), expect: M });
  }
  for (const v of [0, 11, 12, 99, 255, 256, 2 ** 32, SAFE]) {
    g['unknown type'].push({
      name: `type ${v}`,
      bytes: mapBytes(withValue(base, K0, enc(v))),
      expect: Status.UNKNOWN_COMMAND,
    });
    g['unknown type'].push({
      name: `type ${v} with an unknown key`,
      bytes: mapBytes(sorted([...withValue(base, K0, enc(v)), { k: enc(99), v: enc(0) }])),
      expect: Status.UNKNOWN_COMMAND,
    });
  }
  for (const w of WRONG_TYPES) {
    if (w.kind === 'uint') continue;
    g['type type'].push({ name: `type as ${w.kind}`, bytes: mapBytes(withValue(base, K0, w.bytes)), expect: M });
  }
  return g;
}
