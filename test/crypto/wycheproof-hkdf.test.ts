/**
 * Wycheproof HKDF-SHA256 (C2SP/wycheproof testvectors_v1/hkdf_sha256_test.json, commit
 * dac1dd47; test/vectors/README.md, Wycheproof): all 86 cases through the provider's
 * separate Extract and Expand. The 3 invalid cases ask for size 8161 > 255 * 32.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/crypto/bytes.ts';
import { readVectorJson } from '../support/vectors.ts';
import { hex, providers } from './providers.ts';

interface HkdfTest {
  tcId: number;
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
  result: string;
}
const tests = readVectorJson<{ testGroups: { tests: HkdfTest[] }[] }>(
  'wycheproof/hkdf_sha256_test.json',
).testGroups.flatMap((g) => g.tests);

describe.each(providers)('Wycheproof HKDF-SHA256: %s', (_name, p) => {
  it('all 86 cases: 83 valid derive okm, 3 oversize requests throw', () => {
    let valid = 0;
    let invalid = 0;
    for (const t of tests) {
      const prk = p.hkdfExtract(hex(t.salt), hex(t.ikm));
      if (t.result === 'valid') {
        expect(toHex(p.hkdfExpand(prk, hex(t.info), t.size)), `tcId ${t.tcId}`).toBe(t.okm);
        valid++;
      } else {
        expect(() => p.hkdfExpand(prk, hex(t.info), t.size), `tcId ${t.tcId}`).toThrow();
        invalid++;
      }
    }
    expect({ valid, invalid }).toEqual({ valid: 83, invalid: 3 });
  });
});
