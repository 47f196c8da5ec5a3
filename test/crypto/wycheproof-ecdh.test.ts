/**
 * Wycheproof ECDH P-256 (C2SP/wycheproof testvectors_v1, commit dac1dd47;
 * test/vectors/README.md, Wycheproof). These guard HPKE Decap against invalid-curve points.
 *
 * - ecdh_secp256r1_webcrypto_test.json: all 353 (JWK form). A JWK becomes the raw 65-byte
 *   point only when kty = EC, crv = P-256 and both coordinates are 32 bytes (that is the
 *   JWK layer's job); the provider then has to refuse every remaining invalid point.
 * - ecdh_secp256r1_test.json (SPKI form): the 349 cases whose SPKI is the standard P-256
 *   prefix + an uncompressed point; other encodings (compressed points, explicit curve
 *   parameters, odd ASN.1) are not something the provider API accepts at all.
 */
import { describe, expect, it } from 'vitest';
import { concat, toHex } from '../../shared/crypto/bytes.ts';
import { readVectorJson } from '../support/vectors.ts';
import { hex, providers } from './providers.ts';

interface Jwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  d?: string;
}
const web = readVectorJson<{
  testGroups: { tests: { tcId: number; public: Jwk; private: Jwk; shared: string; result: string }[] }[];
}>('wycheproof/ecdh_secp256r1_webcrypto_test.json').testGroups.flatMap((g) => g.tests);
const asn = readVectorJson<{
  testGroups: { tests: { tcId: number; public: string; private: string; shared: string; result: string }[] }[];
}>('wycheproof/ecdh_secp256r1_test.json').testGroups.flatMap((g) => g.tests);

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));
const SPKI_P256_PREFIX = '3059301306072a8648ce3d020106082a8648ce3d030107034200';

/** The uncompressed point of a P-256 JWK, ignoring crv (so the curve check can be counted alone). */
function jwkPoint(j: Jwk): Uint8Array | null {
  const x = b64(j.x);
  const y = b64(j.y);
  return x.length === 32 && y.length === 32 ? concat(new Uint8Array([4]), x, y) : null;
}

/** A big-endian scalar as 32 bytes (Wycheproof may add a leading 00 or drop leading zeros). */
function scalar32(b: Uint8Array): Uint8Array {
  let v = b;
  while (v.length > 32 && v[0] === 0) v = v.subarray(1);
  const out = new Uint8Array(32);
  out.set(v, 32 - v.length);
  return out;
}

describe.each(providers)('Wycheproof ECDH P-256: %s', (_name, p) => {
  it('webcrypto/JWK: 330 valid give the shared secret, 23 invalid are refused', () => {
    const counts = { valid: 0, invalid: 0, refusedByJwkLayer: 0, refusedByCurveCheck: 0 };
    for (const t of web) {
      const sk = p.p256ImportPrivate(scalar32(b64(t.private.d!)));
      expect(sk, `tcId ${t.tcId}`).not.toBeNull();
      const point = jwkPoint(t.public);
      const acceptedJwk = t.public.kty === 'EC' && t.public.crv === 'P-256' && point !== null;
      if (t.result === 'valid') {
        expect(acceptedJwk && p.p256IsValidPublic(point!)).toBe(true);
        expect(toHex(p.p256Ecdh(sk!, point!)!), `tcId ${t.tcId}`).toBe(t.shared);
        counts.valid++;
        continue;
      }
      counts.invalid++;
      const curveRefuses = point === null || (!p.p256IsValidPublic(point) && p.p256Ecdh(sk!, point) === null);
      if (curveRefuses) counts.refusedByCurveCheck++;
      else if (!acceptedJwk) counts.refusedByJwkLayer++;
      expect(curveRefuses || !acceptedJwk, `tcId ${t.tcId}`).toBe(true);
    }
    // Every invalid case fails the provider's own point check, even with crv ignored
    // (tcId 347, labelled "valid on secp256r1", has x >= p of P-256): the JWK crv check
    // is defence in depth, not what stops them.
    expect(counts).toEqual({ valid: 330, invalid: 23, refusedByJwkLayer: 0, refusedByCurveCheck: 23 });
  });

  it('SPKI/uncompressed: 330 valid agree; 18 invalid and 1 acceptable are refused', () => {
    const counts = { valid: 0, invalid: 0, acceptable: 0 };
    for (const t of asn) {
      if (!(t.public.startsWith(SPKI_P256_PREFIX) && t.public.length === SPKI_P256_PREFIX.length + 130)) continue;
      const point = hex(t.public.slice(SPKI_P256_PREFIX.length));
      const sk = p.p256ImportPrivate(scalar32(hex(t.private)))!;
      expect(sk, `tcId ${t.tcId}`).not.toBeNull();
      if (t.result === 'valid') {
        expect(toHex(p.p256Ecdh(sk, point)!), `tcId ${t.tcId}`).toBe(t.shared);
        counts.valid++;
      } else {
        // "acceptable" is refused too: a payment device takes the strict choice (test/vectors/README.md).
        expect(p.p256IsValidPublic(point), `tcId ${t.tcId}`).toBe(false);
        expect(p.p256Ecdh(sk, point), `tcId ${t.tcId}`).toBeNull();
        counts[t.result as 'invalid' | 'acceptable']++;
      }
    }
    expect(counts).toEqual({ valid: 330, invalid: 18, acceptable: 1 });
  });
});
