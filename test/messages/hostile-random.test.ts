/**
 * Every message decoder against inputs nobody designed: random bytes (fast-check, fixed
 * seed), every bit flip and byte value of each valid sample, the RFC 8949 Appendix F
 * not-well-formed corpus, and values that are not bytes at all. None may throw, and each
 * refusal carries the status the input deserves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Status, type StatusCode, isStatusCode } from '../../shared/status/codes.ts';
import type { Result } from '../../shared/status/error.ts';
import { readVectorJson } from '../support/vectors.ts';
import { enc, fromHex } from './raw-cbor.ts';
import { TARGETS, type Target, provisionWith } from './samples.ts';

const RUNS = { seed: 0x0badf00d, numRuns: 3000 };
/** The whole-input decoders (the nested card maps are reached through the provision challenge). */
const WHOLE = TARGETS.filter((t) => t.limit !== undefined);

/** What a decoder may answer for garbage: a refusal with a protocol status, never a throw. */
const REFUSALS: StatusCode[] = [Status.MALFORMED, Status.OVERSIZE, Status.UNSUPPORTED_VERSION, Status.UNKNOWN_COMMAND];

function run(t: Target, bytes: Uint8Array): Result<unknown> {
  return t.decode(bytes); // a throw fails the test
}

describe.each(WHOLE)('$name', (t) => {
  const limit = t.limit as number;

  it('random bytes: refused, never thrown; OVERSIZE above the limit, MALFORMED if not a map', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: limit + 64 }), (bytes) => {
        const r = run(t, bytes);
        if (r.ok) return true; // possible in principle (then the bytes were a canonical message)
        if (!isStatusCode(r.status) || !REFUSALS.includes(r.status)) return false;
        if (bytes.length > limit) return r.status === Status.OVERSIZE;
        if (bytes.length === 0 || bytes[0] >> 5 !== 5) return r.status === Status.MALFORMED;
        return true;
      }),
      RUNS,
    );
  });

  it('random bytes behind a map head: refused with a protocol status', () => {
    const arb = fc.tuple(fc.integer({ min: 0xa0, max: 0xbf }), fc.uint8Array({ maxLength: 200 }));
    fc.assert(
      fc.property(arb, ([first, rest]) => {
        const bytes = new Uint8Array([first, ...rest]);
        const r = run(t, bytes);
        return r.ok || REFUSALS.includes(r.status);
      }),
      RUNS,
    );
  });

  it('every single-bit flip of the valid sample: a protocol refusal or a (canonical) decode, never a throw', () => {
    const valid = enc(t.sample);
    const bad: string[] = [];
    for (let bit = 0; bit < valid.length * 8; bit++) {
      const b = new Uint8Array(valid);
      b[bit >> 3] ^= 0x80 >> (bit & 7);
      const r = run(t, b);
      if (!r.ok && !REFUSALS.includes(r.status)) bad.push(`bit ${bit}: status ${r.status}`);
    }
    expect(bad).toEqual([]);
  });

  it('every byte replaced by each of 0x00, 0x18, 0x1f, 0x5f, 0x7f, 0x9f, 0xbf, 0xf7, 0xfb, 0xff: no throw', () => {
    const valid = enc(t.sample);
    for (let i = 0; i < valid.length; i++) {
      for (const v of [0x00, 0x18, 0x1f, 0x5f, 0x7f, 0x9f, 0xbf, 0xf7, 0xfb, 0xff]) {
        const b = new Uint8Array(valid);
        b[i] = v;
        const r = run(t, b);
        expect(r.ok || REFUSALS.includes(r.status)).toBe(true);
      }
    }
  });

  it('not bytes at all (null, undefined, a string, a number array, an object): MALFORMED', () => {
    for (const v of [null, undefined, 'a1000101', [0xa2, 0, 1, 1, 1], { length: 3 }, 42]) {
      expect(run(t, v as unknown as Uint8Array)).toMatchObject({ ok: false, status: Status.MALFORMED });
    }
  });

  it('a Buffer view into a larger buffer decodes like a fresh Uint8Array', () => {
    const valid = enc(t.sample);
    const big = Buffer.alloc(valid.length + 10, 0xff);
    big.set(valid, 5);
    expect(run(t, big.subarray(5, 5 + valid.length))).toEqual(run(t, valid));
  });
});

describe('RFC 8949 Appendix F.1: not-well-formed CBOR', () => {
  const file = readVectorJson<{ count: number; vectors: Array<{ hex: string; description: string }> }>(
    'cbor/rfc8949_appendix_f_not_well_formed.json',
  );

  it('holds all 94 vectors', () => {
    expect(file.vectors.length).toBe(94);
  });
  it.each(WHOLE)('$name refuses every vector with MALFORMED', (t) => {
    const wrong = file.vectors.filter((v) => {
      const r = run(t, fromHex(v.hex));
      return r.ok || r.status !== Status.MALFORMED;
    });
    expect(wrong.map((v) => v.hex + ' ' + v.description)).toEqual([]);
  });
  it('as the card map of a provision challenge, every vector is MALFORMED', () => {
    const provision = TARGETS.find((t) => t.name === 'challenge/provision') as Target;
    const wrong = file.vectors.filter((v) => {
      const r = provision.decode(provisionWith(fromHex(v.hex)));
      return r.ok || r.status !== Status.MALFORMED;
    });
    expect(wrong.map((v) => v.hex)).toEqual([]);
  });
});
