/**
 * Both host providers held to the conventions of shared/crypto/provider.ts, and to each
 * other (cross-provider sign/verify and ECDH).
 */
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex } from '../../shared/crypto/bytes.ts';
import type { AeadAlg } from '../../shared/crypto/provider.ts';
import { HALF_N, N, P, bigIntTo32, bytesToBigInt, flipS } from '../../shared/crypto/p256-host.ts';
import { providers } from './providers.ts';

const [, node] = providers[0];
const [, noble] = providers[1];
const msg = new Uint8Array(Buffer.from('wristpay conformance'));
/** The P-256 generator, a known-valid point. */
const G = fromHex(
  '046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296' +
    '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
);

function badPoints(): Array<[string, Uint8Array]> {
  const offCurve = G.slice();
  offCurve[64] ^= 1;
  const xTooBig = concat(fromHex('04'), bigIntTo32(bytesToBigInt(G.subarray(1, 33)) + P), G.subarray(33));
  const compressed = concat(fromHex('03'), G.subarray(1, 33));
  const wrongPrefix = G.slice();
  wrongPrefix[0] = 0x06; // hybrid encoding
  return [
    ['off-curve', offCurve],
    ['x + p (non-canonical coordinate)', xTooBig],
    ['compressed', compressed],
    ['hybrid prefix', wrongPrefix],
    ['64 bytes (no prefix)', G.subarray(1)],
    ['66 bytes', concat(G, fromHex('00'))],
    ['infinity (00)', fromHex('00')],
    ['(0,0)', new Uint8Array(65).fill(0, 1).fill(4, 0, 1)],
    ['empty', new Uint8Array(0)],
  ];
}

describe.each(providers)('provider conformance: %s', (_name, p) => {
  it('hashes and HKDF follow RFC 6234 / RFC 5869 (Wycheproof has the rest)', () => {
    expect(toHex(p.sha256(new Uint8Array(Buffer.from('abc'))))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(p.hkdfExpand(new Uint8Array(32), new Uint8Array(0), 0)).toEqual(new Uint8Array(0));
    expect(() => p.hkdfExpand(new Uint8Array(32), new Uint8Array(0), 255 * 32 + 1)).toThrow();
    expect(p.hkdfExpand(new Uint8Array(32), new Uint8Array(0), 255 * 32)).toHaveLength(8160);
    expect(p.randomBytes(33)).toHaveLength(33);
    expect(toHex(p.randomBytes(16))).not.toBe(toHex(p.randomBytes(16)));
  });

  it('signs low-S and verifies; the high-S twin of a valid signature is rejected', () => {
    const key = p.p256Generate();
    const pub = p.p256PublicKey(key);
    expect(p.p256IsValidPublic(pub)).toBe(true);
    for (let i = 0; i < 64; i++) {
      const m = concat(msg, new Uint8Array([i]));
      const sig = p.p256Sign(key, m);
      expect(sig).toHaveLength(64);
      expect(bytesToBigInt(sig.subarray(32)) <= HALF_N).toBe(true);
      expect(p.p256Verify(pub, m, sig)).toBe(true);
      const twin = flipS(sig);
      expect(p.p256Verify(pub, m, twin)).toBe(false);
      expect(p.p256VerifyAnyS(pub, m, twin)).toBe(true);
      expect(p.p256Verify(pub, concat(m, fromHex('00')), sig)).toBe(false);
    }
  });

  it('rejects signatures of the wrong length or with r, s out of range', () => {
    const key = p.p256Generate();
    const pub = p.p256PublicKey(key);
    const sig = p.p256Sign(key, msg);
    const r = sig.subarray(0, 32);
    const s = sig.subarray(32);
    const zero = new Uint8Array(32);
    const n = bigIntTo32(N);
    const cases: Uint8Array[] = [
      sig.subarray(0, 63),
      concat(sig, fromHex('00')),
      concat(fromHex('00'), sig),
      new Uint8Array(0),
      concat(zero, s),
      concat(r, zero),
      concat(n, s),
      concat(r, n),
      // r + n and s + n do not fit in 32 bytes; r = n + small does:
      concat(bigIntTo32(N + 1n), s),
      concat(r, bigIntTo32(N + 1n)),
    ];
    for (const c of cases) {
      expect(p.p256Verify(pub, msg, c)).toBe(false);
      expect(p.p256VerifyAnyS(pub, msg, c)).toBe(false);
    }
  });

  it('refuses invalid public keys in isValidPublic, ecdh and verify', () => {
    const key = p.p256Generate();
    const sig = p.p256Sign(key, msg);
    expect(p.p256IsValidPublic(G)).toBe(true);
    for (const [label, bad] of badPoints()) {
      expect(p.p256IsValidPublic(bad), label).toBe(false);
      expect(p.p256Ecdh(key, bad), label).toBeNull();
      expect(p.p256Verify(bad, msg, sig), label).toBe(false);
    }
  });

  it('imports scalars in [1, n-1] only', () => {
    const import_ = p.p256ImportPrivate.bind(p);
    expect(import_(new Uint8Array(32))).toBeNull();
    expect(import_(bigIntTo32(N))).toBeNull();
    expect(import_(bigIntTo32(N - 1n))).not.toBeNull();
    expect(import_(new Uint8Array(31).fill(1))).toBeNull();
    const one = import_(bigIntTo32(1n))!;
    expect(p.p256PublicKey(one)).toEqual(G);
  });

  it('ECDH agrees between two keys and with the other provider', () => {
    const other = p === node ? noble : node;
    const a = p.p256Generate();
    const b = p.p256Generate();
    const ab = p.p256Ecdh(a, p.p256PublicKey(b))!;
    expect(ab).toHaveLength(32);
    expect(p.p256Ecdh(b, p.p256PublicKey(a))).toEqual(ab);
    const c = other.p256Generate();
    expect(p.p256Ecdh(a, other.p256PublicKey(c))).toEqual(other.p256Ecdh(c, p.p256PublicKey(a)));
  });

  it('signatures cross-verify with the other provider', () => {
    const other = p === node ? noble : node;
    const key = p.p256Generate();
    const pub = p.p256PublicKey(key);
    for (let i = 0; i < 16; i++) {
      const m = concat(msg, new Uint8Array([i]));
      expect(other.p256Verify(pub, m, p.p256Sign(key, m))).toBe(true);
    }
  });

  it('refuses a handle from another provider', () => {
    const other = p === node ? noble : node;
    expect(() => p.p256PublicKey(other.p256Generate())).toThrow(TypeError);
  });

  it.each(['chacha20-poly1305', 'aes-128-gcm'] as AeadAlg[])(
    '%s: seal/open, and any flipped byte gives null',
    (alg) => {
      const other = p === node ? noble : node;
      const key = p.randomBytes(alg === 'aes-128-gcm' ? 16 : 32);
      const nonce = p.randomBytes(12);
      const aad = fromHex('0102030405');
      const pt = p.randomBytes(40);
      const ct = p.aeadSeal(alg, key, nonce, aad, pt);
      expect(ct).toHaveLength(pt.length + 16);
      expect(p.aeadOpen(alg, key, nonce, aad, ct)).toEqual(pt);
      expect(other.aeadOpen(alg, key, nonce, aad, ct)).toEqual(pt);
      for (let i = 0; i < ct.length; i++) {
        const bad = ct.slice();
        bad[i] ^= 0x80;
        expect(p.aeadOpen(alg, key, nonce, aad, bad)).toBeNull();
      }
      const badAad = aad.slice();
      badAad[0] ^= 1;
      expect(p.aeadOpen(alg, key, nonce, badAad, ct)).toBeNull();
      expect(p.aeadOpen(alg, key, nonce, aad, ct.subarray(0, 15))).toBeNull();
      expect(p.aeadOpen(alg, key, nonce, aad, new Uint8Array(0))).toBeNull();
      expect(p.aeadOpen(alg, key.subarray(1), nonce, aad, ct)).toBeNull();
      expect(p.aeadOpen(alg, key, nonce.subarray(1), aad, ct)).toBeNull();
      expect(() => p.aeadSeal(alg, key.subarray(1), nonce, aad, pt)).toThrow();
      // Empty plaintext: the tag alone.
      const tagOnly = p.aeadSeal(alg, key, nonce, aad, new Uint8Array(0));
      expect(tagOnly).toHaveLength(16);
      expect(p.aeadOpen(alg, key, nonce, aad, tagOnly)).toEqual(new Uint8Array(0));
    },
  );
});

describe('node provider public-key cache', () => {
  it('stays correct past its 256 entries and when a key comes back', () => {
    const keys = Array.from({ length: 300 }, () => node.p256Generate());
    const sigs = keys.map((k) => node.p256Sign(k, msg));
    for (let round = 0; round < 2; round++) {
      keys.forEach((k, i) => {
        expect(node.p256Verify(node.p256PublicKey(k), msg, sigs[i])).toBe(true);
        expect(node.p256Verify(node.p256PublicKey(k), msg, sigs[(i + 1) % sigs.length])).toBe(false);
      });
    }
  });
});

describe.each(providers)('keys with leading zero bytes: %s', (_name, p) => {
  it('sign and ECDH work for a scalar with leading zeros (node drops them in getPrivateKey)', () => {
    const s = new Uint8Array(32);
    s[5] = 1;
    s[31] = 5;
    const k = p.p256ImportPrivate(s)!;
    const sig = p.p256Sign(k, msg);
    expect(p.p256Verify(p.p256PublicKey(k), msg, sig)).toBe(true);
    const other = p.p256Generate();
    expect(p.p256Ecdh(k, p.p256PublicKey(other))).toEqual(p.p256Ecdh(other, p.p256PublicKey(k)));
  });
});
