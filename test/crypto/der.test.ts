import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../shared/crypto/bytes.ts';
import { derToP1363 } from './der.ts';

describe('test helper: strict DER → P1363', () => {
  it('converts canonical encodings', () => {
    expect(toHex(derToP1363(fromHex('3006020101020102'))!)).toBe('00'.repeat(31) + '01' + '00'.repeat(31) + '02');
    const r = '80' + '11'.repeat(31);
    const got = derToP1363(fromHex('3046022100' + r + '0221' + '00' + r))!;
    expect(toHex(got)).toBe(r + r);
  });
  it('refuses non-canonical and malformed encodings', () => {
    for (const h of [
      '', // empty
      '30', // no length
      '3007020101020102', // SEQUENCE length overruns
      '3005020101020102', // SEQUENCE length too short
      '300602010102010200', // trailing byte
      '3106020101020102', // SET instead of SEQUENCE
      '308106020101020102', // long-form length (not minimal)
      '300702020001020102', // INTEGER with a needless leading zero
      '3006020181020102', // negative r
      '30070201010202ff01', // negative s
      '3006020101030102', // BIT STRING instead of INTEGER
      '300402010102', // s missing
      '30050200020101', // empty INTEGER
    ]) {
      expect(derToP1363(fromHex(h)), h).toBeNull();
    }
    // 33 significant bytes do not fit.
    expect(derToP1363(fromHex('3027022201' + '00'.repeat(33) + '020101'))).toBeNull();
  });
});
