/**
 * RFC 8949 Appendix A examples, from github.com/cbor/test-vectors `appendix_a.json`
 * (commit aba89b653e484bc8573c22f3ff35641d79dfd8c1), kept in test/vectors/cbor/
 * (see test/vectors/README.md). The file is RFC 7049's list: its extra item f818 (simple(24)
 * in two bytes) is not well-formed under RFC 8949 §3.3 / Appendix F and must be refused.
 */
import { describe, expect, it } from 'vitest';
import { CborMap, CborTag, type CborValue, decodeCbor, encodeCbor, toDiagnostic } from '../../shared/cbor/index.ts';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { Status } from '../../shared/status/codes.ts';
import { readVectorText } from '../support/vectors.ts';

interface Vector {
  cbor: string;
  hex: string;
  roundtrip: boolean;
  decoded?: unknown;
  diagnostic?: string;
}

const text = readVectorText('cbor/appendix_a.json');
const vectors: Vector[] = JSON.parse(text);

// JSON.parse rounds 2^64-scale integers; read their literal digits from the file text instead.
const rawInts = new Map<string, bigint>();
for (const m of text.matchAll(/"hex": "([0-9a-f]+)",\s*"roundtrip": \w+,\s*"decoded": (-?\d+)\s*}/g)) {
  rawInts.set(m[1], BigInt(m[2]));
}

const bytesOf = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** The JSON view of a decoded value: CborMaps with text keys become plain objects. */
function toJson(v: CborValue): unknown {
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof CborMap) {
    const o: Record<string, unknown> = {};
    v.keys.forEach((k, i) => {
      o[String(k)] = toJson(v.values[i]);
    });
    return o;
  }
  return v;
}

/** `(_ h'0102', h'030405')` → `h'0102030405'`: decoded values keep no chunk boundaries. */
function joinChunks(diag: string): string {
  const m = /^\(_ (.*)\)$/.exec(diag);
  if (!m) return diag;
  return (
    "h'" +
    m[1]
      .split(', ')
      .map((c) => c.slice(2, -1))
      .join('') +
    "'"
  );
}

/** Bignum value of a tag 2/3 (RFC 8949 §3.4.3). */
function bignum(t: CborTag): bigint {
  const n = BigInt('0x' + (hexOf(t.value as Uint8Array) || '0'));
  return t.tag === 2 ? n : -1n - n;
}

const wellFormed = vectors.filter((v) => v.hex !== 'f818');

describe('RFC 8949 Appendix A', () => {
  it('has the 82 items of the RFC 7049 list, 81 of them RFC 8949 well-formed', () => {
    expect(vectors).toHaveLength(82);
    expect(wellFormed).toHaveLength(81);
    for (const v of vectors) expect(hexOf(new Uint8Array(Buffer.from(v.cbor, 'base64')))).toBe(v.hex);
  });

  it.each(wellFormed.map((v) => [v.hex, v] as const))('decodes %s (non-strict)', (_hex, v) => {
    const r = decodeCbor(bytesOf(v.hex), { strict: false });
    if (!r.ok) throw new Error(`refused: ${r.detail}`);
    const raw = rawInts.get(v.hex);
    if (raw !== undefined && !Number.isSafeInteger(Number(raw))) {
      // Beyond 2^53: 1b/3b heads decode to the nearest JS number, tags 2/3 stay bignums.
      if (r.value instanceof CborTag) expect(bignum(r.value)).toBe(raw);
      else expect(r.value).toBe(Number(raw));
    } else if ('decoded' in v) {
      expect(toJson(r.value)).toEqual(v.decoded);
    } else {
      expect(toDiagnostic(r.value)).toBe(joinChunks(v.diagnostic as string));
    }
  });

  it('refuses f818 (two-byte simple value below 32) in both modes', () => {
    for (const strict of [true, false]) {
      const r = decodeCbor(bytesOf('f818'), { strict });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.status).toBe(Status.MALFORMED);
    }
  });

  // Inside the deterministic profile = accepted by the strict decoder. The other
  // roundtrip items are floats, undefined, simple values and the two 2^64-scale ints.
  const inProfile = wellFormed.filter((v) => v.roundtrip && decodeCbor(bytesOf(v.hex)).ok);
  it('has the expected items inside the profile', () => {
    expect(inProfile).toHaveLength(42); // of 64 roundtrip items; 22 are floats, simple values or 2^64-scale
    const outside = wellFormed.filter((v) => v.roundtrip && !inProfile.includes(v)).map((v) => v.hex);
    for (const h of outside) expect(h).toMatch(/^(f9|fa|fb|f7|f0|f8|c1fb|1bff|3bff)/);
  });

  it.each(inProfile.map((v) => [v.hex, v] as const))('re-encodes %s byte for byte', (_hex, v) => {
    const r = decodeCbor(bytesOf(v.hex));
    if (!r.ok) throw new Error(`refused: ${r.detail}`);
    expect(hexOf(encodeCbor(r.value))).toBe(v.hex);
    expect(hexOf(encodeCborHost(r.value))).toBe(v.hex);
  });

  it('refuses every non-roundtrip item in strict mode (indefinite lengths, wide floats)', () => {
    for (const v of wellFormed.filter((x) => !x.roundtrip)) {
      const r = decodeCbor(bytesOf(v.hex));
      expect(r.ok, v.hex).toBe(false);
    }
  });
});
