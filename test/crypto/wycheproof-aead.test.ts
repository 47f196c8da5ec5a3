/**
 * Wycheproof AEAD vectors (C2SP/wycheproof testvectors_v1, commit dac1dd47; see
 * test/vectors/README.md, Wycheproof): chacha20_poly1305_test.json and aes_gcm_test.json.
 *
 * ChaCha20-Poly1305 (HPKE aead 0x0003): all 325 cases; the 9 with a nonce other than 96 bits
 * are all "invalid" and the providers refuse any nonce but 12 bytes.
 * AES-GCM (HPKE aead 0x0001): the 67 AES-128 cases with a 96-bit IV, plus the 2 AES-128
 * cases with an empty IV (invalid). Other IV sizes and key sizes are outside the provider API.
 */
import { describe, expect, it } from 'vitest';
import { concat, toHex } from '../../shared/crypto/bytes.ts';
import type { AeadAlg } from '../../shared/crypto/provider.ts';
import { readVectorJson } from '../support/vectors.ts';
import { hex, providers } from './providers.ts';

interface AeadTest {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface AeadGroup {
  keySize: number;
  ivSize: number;
  tagSize: number;
  tests: AeadTest[];
}

function cases(file: string, keep: (g: AeadGroup) => boolean): AeadTest[] {
  const j = readVectorJson<{ testGroups: AeadGroup[] }>('wycheproof/' + file);
  return j.testGroups.filter(keep).flatMap((g) => g.tests);
}

const chacha = cases('chacha20_poly1305_test.json', () => true);
const aes128 = cases('aes_gcm_test.json', (g) => g.keySize === 128 && (g.ivSize === 96 || g.ivSize === 0));

function run(alg: AeadAlg, tests: AeadTest[], p: (typeof providers)[number][1]) {
  let valid = 0;
  let invalid = 0;
  for (const t of tests) {
    const key = hex(t.key);
    const iv = hex(t.iv);
    const aad = hex(t.aad);
    const sealed = concat(hex(t.ct), hex(t.tag));
    const opened = p.aeadOpen(alg, key, iv, aad, sealed);
    if (t.result === 'valid') {
      expect(opened && toHex(opened), `tcId ${t.tcId}`).toBe(t.msg);
      expect(toHex(p.aeadSeal(alg, key, iv, aad, hex(t.msg))), `tcId ${t.tcId}`).toBe(t.ct + t.tag);
      valid++;
    } else {
      expect(opened, `tcId ${t.tcId} (${t.result})`).toBeNull();
      invalid++;
    }
  }
  return { valid, invalid };
}

describe.each(providers)('Wycheproof AEAD: %s', (_name, p) => {
  it('ChaCha20-Poly1305: all 325 cases (256 valid open and seal byte-exact, 69 invalid refused)', () => {
    expect(chacha).toHaveLength(325);
    expect(run('chacha20-poly1305', chacha, p)).toEqual({ valid: 256, invalid: 69 });
  });

  it('AES-128-GCM: 67 cases with a 96-bit IV + 2 with an empty IV', () => {
    expect(aes128).toHaveLength(69);
    expect(run('aes-128-gcm', aes128, p)).toEqual({ valid: 40, invalid: 29 });
  });
});
