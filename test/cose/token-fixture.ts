/**
 * A payment token signed with a real provider key, the trade it answers, and a builder
 * for properly signed variants (any protected header, unprotected header, payload or
 * signature), so that each test breaks exactly one thing.
 */
import { CborMap, encodeCbor } from '../../shared/cbor/index.ts';
import { encodeSign1, sigStructure } from '../../shared/cose/sign1.ts';
import { type TokenClaims, claimsToCbor, signToken } from '../../shared/cose/token.ts';
import type { ExpectedTrade } from '../../shared/cose/token-verify.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import type { KeyHandle } from '../../shared/crypto/provider.ts';
import { TokenFlag } from '../../shared/protocol/constants.ts';

export interface Variant {
  protectedMap?: CborMap;
  protectedBytes?: Uint8Array;
  unprotected?: CborMap;
  claims?: Partial<TokenClaims>;
  payload?: Uint8Array;
  /** Replaces the good signature (which is passed in). */
  signature?: (good: Uint8Array) => Uint8Array;
  tagged?: boolean;
}

export interface Fixture {
  key: KeyHandle;
  publicKey: Uint8Array;
  deviceId: Uint8Array;
  claims: TokenClaims;
  expected: ExpectedTrade;
  token: Uint8Array;
  sign: (tbs: Uint8Array) => Uint8Array;
  build: (v: Variant) => Uint8Array;
}

export function makeFixture(provider: HostCryptoProvider): Fixture {
  const key = provider.p256Generate();
  const publicKey = provider.p256PublicKey(key);
  // PROTOCOL.md §3: deviceId = SHA-256(signingKey)[0..16].
  const deviceId = provider.sha256(publicKey).subarray(0, 16);
  const nonce = provider.randomBytes(16);
  const claims: TokenClaims = {
    deviceId,
    cardRef: 'card-ref-1',
    amount: 1999,
    currency: 'CNY',
    merchantId: 'm-001',
    terminalId: 't-01',
    orderId: 'order-42',
    checkoutNonce: nonce,
    counter: 17,
    time: 1_700_000_000,
    flags: TokenFlag.WORN | TokenFlag.UNLOCKED,
  };
  const expected: ExpectedTrade = {
    deviceId,
    amount: 1999,
    currency: 'CNY',
    merchantId: 'm-001',
    terminalId: 't-01',
    orderId: 'order-42',
    checkoutNonce: new Uint8Array(nonce),
    cardRef: 'card-ref-1',
    lastCounter: 16,
  };
  const sign = (tbs: Uint8Array) => provider.p256Sign(key, tbs);
  const build = (v: Variant): Uint8Array => {
    const protectedBytes = v.protectedBytes || encodeCbor(v.protectedMap || new CborMap([1], [-7]));
    const payload = v.payload || encodeCbor(claimsToCbor({ ...claims, ...v.claims }));
    const good = sign(sigStructure(protectedBytes, new Uint8Array(0), payload));
    const signature = v.signature ? v.signature(good) : good;
    return encodeSign1(protectedBytes, v.unprotected || new CborMap(), payload, signature, v.tagged !== false);
  };
  return { key, publicKey, deviceId, claims, expected, token: signToken(claims, sign), sign, build };
}

/** `bytes` with one bit flipped (bit 0 is the most significant bit of byte 0). */
export function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[bit >> 3] ^= 0x80 >> (bit & 7);
  return out;
}
