/**
 * RFC 8949 Appendix F.1: 94 items that are not well-formed, transcribed into
 * test/vectors/cbor/rfc8949_appendix_f_not_well_formed.json from cbor-wg/CBORbis
 * (commit 22d203099e37d8a7c7458abc975f258775d4de47, the RFC 8949 source; test/vectors/README.md).
 * Every one must be refused with a status, in both modes, and never by a throw.
 */
import { describe, expect, it } from 'vitest';
import { decodeCbor, decodeCborPrefix } from '../../shared/cbor/index.ts';
import { Status } from '../../shared/status/codes.ts';
import { readVectorJson } from '../support/vectors.ts';

interface NotWellFormed {
  hex: string;
  kind: number;
  subkind: number | null;
  description: string;
}

const data = readVectorJson<{ count: number; vectors: NotWellFormed[] }>(
  'cbor/rfc8949_appendix_f_not_well_formed.json',
);
const bytesOf = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

describe('RFC 8949 Appendix F (not well-formed)', () => {
  it('holds all 94 vectors', () => {
    expect(data.count).toBe(94);
    expect(data.vectors).toHaveLength(94);
  });

  describe.each([true, false])('strict: %s', (strict) => {
    it.each(data.vectors.map((v) => [v.hex, v.description] as const))('refuses %s (%s)', (hex) => {
      let r: ReturnType<typeof decodeCbor> | undefined;
      expect(() => (r = decodeCbor(bytesOf(hex), { strict }))).not.toThrow();
      expect(r!.ok).toBe(false);
      if (!r!.ok) {
        expect(r!.status).toBe(Status.MALFORMED);
        expect(r!.detail).toBeTruthy();
      }
    });
  });

  it('refuses them even when trailing bytes are allowed (the fault is inside the first item)', () => {
    for (const v of data.vectors) {
      for (const strict of [true, false]) {
        const r = decodeCborPrefix(bytesOf(v.hex), { strict, allowTrailing: true });
        expect(r.ok, `${v.hex} strict=${strict}`).toBe(false);
      }
    }
  });

  it('refuses each truncation of them and never throws', () => {
    for (const v of data.vectors) {
      const b = bytesOf(v.hex);
      for (let n = 0; n < b.length; n++) {
        const r = decodeCbor(b.subarray(0, n), { strict: false });
        expect(r.ok).toBe(false);
      }
    }
  });
});
