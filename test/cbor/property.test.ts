/**
 * Property tests (fast-check, fixed seed): the compact encoder (encode.ts, what the band
 * runs) agrees byte for byte with the cbor-x host encoder (host.ts) on the whole
 * deterministic profile, the strict decoder round-trips it, and no input (random or a
 * mutated valid encoding) makes the decoder throw. Because strict mode accepts only
 * RFC 8949 §4.2.1 encodings, anything it accepts must re-encode to the same bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CborMap,
  CborTag,
  type CborValue,
  type DecodeOptions,
  decodeCbor,
  encodeCbor,
  toDiagnostic,
} from '../../shared/cbor/index.ts';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { Status } from '../../shared/status/codes.ts';

const RUNS = { seed: 0x5eed, numRuns: 2000 };
const ROOMY: DecodeOptions = { maxDepth: 32, maxBytes: 1 << 20, maxItems: 1 << 20 };

const edges = [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];
// -0 is in here on purpose: it must encode as 0 (and 0 and -0 are one map key).
const edgeInts = [...edges, ...edges.map((n) => -n), ...edges.map((n) => -1 - n).filter((n) => n >= -(2 ** 53 - 1))];
const int = fc.oneof(
  fc.constantFrom(...edgeInts),
  fc.integer({ min: -300, max: 300 }),
  fc.integer(),
  fc.maxSafeInteger(),
);
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }), // any code point, astral included
  fc.string({ unit: 'binary-ascii', maxLength: 300 }),
  fc.string({ unit: 'grapheme', minLength: 20, maxLength: 120 }), // > 0x40 units: cbor-x's other UTF-8 path
);
const key = fc.oneof(int, text);
const bytes = fc.uint8Array({ maxLength: 300 });
const leaf: fc.Arbitrary<CborValue> = fc.oneof(int, text, bytes, fc.boolean(), fc.constant(null));

const { value } = fc.letrec<{ value: CborValue }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 6, depthIdentifier: 'cbor' },
    leaf,
    fc.array(tie('value'), { maxLength: 6 }),
    fc
      .uniqueArray(fc.tuple(key, tie('value')), { selector: (e) => e[0], comparator: 'SameValueZero', maxLength: 6 })
      .map(
        (es) =>
          new CborMap(
            es.map((e) => e[0]),
            es.map((e) => e[1]),
          ),
      ),
    fc
      .tuple(fc.oneof(fc.nat(30), fc.constantFrom(2, 3, 18, 24, 255, 256, 65535, 65536, 2 ** 32 - 1)), tie('value'))
      .map(([t, v]) => new CborTag(t, v)),
  ),
}));

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

function neverThrows(b: Uint8Array): void {
  for (const strict of [true, false]) {
    const r = decodeCbor(b, { ...ROOMY, strict });
    if (!r.ok) {
      expect([Status.MALFORMED, Status.OVERSIZE]).toContain(r.status);
      continue;
    }
    toDiagnostic(r.value);
    // Strict acceptance means the input was already the deterministic encoding.
    if (strict) expect(hexOf(encodeCbor(r.value))).toBe(hexOf(b));
  }
}

describe('CBOR properties', () => {
  it('encodeCbor equals cbor-x in deterministic mode, byte for byte', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(hexOf(encodeCbor(v))).toBe(hexOf(encodeCborHost(v)));
      }),
      RUNS,
    );
  });

  it('strict decodeCbor round-trips encodeCbor', () => {
    fc.assert(
      fc.property(value, (v) => {
        const enc = encodeCbor(v);
        const r = decodeCbor(enc, ROOMY);
        if (!r.ok) throw new Error(`refused ${hexOf(enc)}: ${r.detail}`);
        expect(hexOf(encodeCbor(r.value))).toBe(hexOf(enc));
        // Same data, up to map entry order (the decoder returns them sorted).
        expect(sortedDiag(r.value)).toBe(sortedDiag(v));
      }),
      RUNS,
    );
  });

  it('random bytes never make decodeCbor throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), neverThrows), RUNS);
  });

  it('mutated valid encodings never make decodeCbor throw', () => {
    const mutation = fc.tuple(fc.constantFrom('flip', 'set', 'insert', 'delete', 'truncate'), fc.nat(), fc.nat(255));
    fc.assert(
      fc.property(value, fc.array(mutation, { minLength: 1, maxLength: 4 }), (v, ms) => {
        const b = Array.from(encodeCbor(v));
        for (const [op, at, byte] of ms) {
          const i = at % (b.length + 1);
          if (b.length === 0 && op !== 'insert') continue;
          if (op === 'flip') b[i % b.length] ^= 1 << (byte & 7);
          else if (op === 'set') b[i % b.length] = byte;
          else if (op === 'insert') b.splice(i, 0, byte);
          else if (op === 'delete') b.splice(i % b.length, 1);
          else b.length = i % b.length;
        }
        neverThrows(new Uint8Array(b));
      }),
      RUNS,
    );
  });

  it('encoders refuse values outside the profile', () => {
    const outside: CborValue[] = [
      1.5,
      NaN,
      Infinity,
      2 ** 53,
      -(2 ** 53),
      undefined,
      '\ud800',
      'a\udc00b',
      [1, undefined],
      new CborMap([1, 1], [2, 3]),
      new CborMap([0, -0], [2, 3]),
      new CborMap([1], []),
      new CborTag(-1, 0),
      new CborTag(2 ** 32, 0),
      new CborTag(1.5, 0),
    ];
    for (const v of outside) {
      expect(() => encodeCbor(v), String(v)).toThrow();
      expect(() => encodeCborHost(v), String(v)).toThrow();
    }
    const cyclic: CborValue[] = [];
    cyclic.push(cyclic);
    expect(() => encodeCbor(cyclic)).toThrow();
  });
});

/** Diagnostic text with map entries in a canonical order, to compare values up to order. */
function sortedDiag(v: CborValue): string {
  if (Array.isArray(v)) return '[' + v.map(sortedDiag).join(', ') + ']';
  if (v instanceof CborTag) return `${v.tag}(${sortedDiag(v.value)})`;
  if (v instanceof CborMap) {
    const entries = v.keys.map((k, i) => [hexOf(encodeCbor(k)), `${sortedDiag(k)}: ${sortedDiag(v.values[i])}`]);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return '{' + entries.map((e) => e[1]).join(', ') + '}';
  }
  return toDiagnostic(v === 0 ? 0 : v);
}
