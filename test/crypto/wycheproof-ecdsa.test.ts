/**
 * Wycheproof ECDSA P-256/SHA-256 (C2SP/wycheproof testvectors_v1, commit dac1dd47;
 * test/vectors/README.md, Wycheproof).
 *
 * The high-S question, settled by the data: 70 of the 173 "valid" P1363 vectors (and 71 of
 * the 174 "valid" DER vectors) have s > n/2. Wycheproof tests plain ECDSA, where both S
 * are valid; wristpay's convention (provider.ts) rejects high-S. So:
 * - `p256VerifyAnyS` (host-only, plain ECDSA) must accept every valid vector and reject
 *   every invalid one, as published;
 * - `p256Verify` (strict, used for tokens) must reject every invalid vector, accept every
 *   valid low-S one, reject every valid high-S one, and accept that one's low-S twin.
 * Both statements "every valid accepted" and "high-S rejected" then hold, each where it
 * applies.
 */
import { describe, expect, it } from 'vitest';
import { flipS, isHighS } from '../../shared/crypto/p256-host.ts';
import { derToP1363 } from './der.ts';
import { readVectorJson } from '../support/vectors.ts';
import { hex, providers } from './providers.ts';

interface EcdsaTest {
  tcId: number;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
  flags: string[];
}
interface EcdsaFile {
  testGroups: { publicKey: { uncompressed: string }; tests: EcdsaTest[] }[];
}

function flatten(file: string) {
  const j = readVectorJson<EcdsaFile>('wycheproof/' + file);
  return j.testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, pub: hex(g.publicKey.uncompressed) })));
}
const p1363 = flatten('ecdsa_secp256r1_sha256_p1363_test.json');
const der = flatten('ecdsa_secp256r1_sha256_test.json');

describe.each(providers)('Wycheproof ECDSA P-256/SHA-256: %s', (_name, p) => {
  it('P1363 (262): p256VerifyAnyS accepts all 173 valid and 0 of 89 invalid', () => {
    const c = { valid: 0, invalid: 0, highSValid: 0 };
    for (const t of p1363) {
      const sig = hex(t.sig);
      const ok = p.p256VerifyAnyS(t.pub, hex(t.msg), sig);
      expect(ok, `tcId ${t.tcId} ${t.result}`).toBe(t.result === 'valid');
      c[t.result === 'valid' ? 'valid' : 'invalid']++;
      if (t.result === 'valid' && isHighS(sig)) c.highSValid++;
    }
    expect(c).toEqual({ valid: 173, invalid: 89, highSValid: 70 });
  });

  it('P1363 (262): strict p256Verify accepts the 103 valid low-S, rejects the 70 high-S (their twins pass) and all 89 invalid', () => {
    const c = { lowSAccepted: 0, highSRejected: 0, invalidRejected: 0 };
    for (const t of p1363) {
      const sig = hex(t.sig);
      const m = hex(t.msg);
      const ok = p.p256Verify(t.pub, m, sig);
      if (t.result !== 'valid') {
        expect(ok, `tcId ${t.tcId}`).toBe(false);
        c.invalidRejected++;
      } else if (isHighS(sig)) {
        expect(ok, `tcId ${t.tcId} high-S`).toBe(false);
        expect(p.p256Verify(t.pub, m, flipS(sig)), `tcId ${t.tcId} low-S twin`).toBe(true);
        c.highSRejected++;
      } else {
        expect(ok, `tcId ${t.tcId}`).toBe(true);
        c.lowSAccepted++;
      }
    }
    expect(c).toEqual({ lowSAccepted: 103, highSRejected: 70, invalidRejected: 89 });
  });

  it('DER (484) through a strict DER parser: all 174 valid accepted, 0 of 310 invalid', () => {
    const c = { valid: 0, invalidByParser: 0, invalidByVerify: 0, highSValid: 0 };
    for (const t of der) {
      const sig = derToP1363(hex(t.sig));
      const m = hex(t.msg);
      if (t.result === 'valid') {
        expect(sig, `tcId ${t.tcId} parses`).not.toBeNull();
        expect(p.p256VerifyAnyS(t.pub, m, sig!), `tcId ${t.tcId}`).toBe(true);
        expect(p.p256Verify(t.pub, m, sig!), `tcId ${t.tcId} strict`).toBe(!isHighS(sig!));
        if (isHighS(sig!)) c.highSValid++;
        c.valid++;
      } else if (sig === null) {
        c.invalidByParser++;
      } else {
        // "acceptable" would be refused here too (the file has none).
        expect(p.p256VerifyAnyS(t.pub, m, sig), `tcId ${t.tcId} ${t.result}`).toBe(false);
        expect(p.p256Verify(t.pub, m, sig), `tcId ${t.tcId} ${t.result}`).toBe(false);
        c.invalidByVerify++;
      }
    }
    expect(c.valid).toBe(174);
    expect(c.highSValid).toBe(71);
    expect(c.invalidByParser + c.invalidByVerify).toBe(310);
    // Recorded so a parser change shows up: how the 310 split between DER and ECDSA rules.
    expect(c).toMatchInlineSnapshot(`
      {
        "highSValid": 71,
        "invalidByParser": 235,
        "invalidByVerify": 75,
        "valid": 174,
      }
    `);
  });
});
