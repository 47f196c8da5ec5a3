/**
 * Payment-token throughput: our signer and guard-clause verifier per provider, against an
 * independent COSE library (cose-js) and SimpleWebAuthn verifying an equivalent WebAuthn
 * assertion — the library a merchant would otherwise reach for. All on the same tokens,
 * side by side in one run.
 */
import { createRequire } from 'node:module';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { signToken, type TokenClaims } from '../../shared/cose/token.ts';
import { type ExpectedTrade, verifyToken } from '../../shared/cose/token-verify.ts';
import { TokenFlag } from '../../shared/protocol/constants.ts';
import { measure } from './measure.ts';

interface CoseJs {
  sign: { verifySync(msg: Buffer, verifier: { key: { x: Buffer; y: Buffer } }): Buffer };
}
const cose = createRequire(import.meta.url)('cose-js') as CoseJs;

export function sampleToken(p: HostCryptoProvider) {
  const key = p.p256Generate();
  const publicKey = p.p256PublicKey(key);
  const deviceId = p.sha256(publicKey).subarray(0, 16);
  const claims: TokenClaims = {
    deviceId,
    cardRef: 'tok_bench_card_0001',
    amount: 1234,
    currency: 'CNY',
    merchantId: 'm_bench',
    terminalId: 't_bench',
    orderId: 'order-000001',
    checkoutNonce: p.randomBytes(16),
    counter: 7,
    time: 1_760_000_000_000,
    flags: TokenFlag.WORN | TokenFlag.UNLOCKED,
  };
  const expected: ExpectedTrade = {
    deviceId,
    amount: 1234,
    currency: 'CNY',
    merchantId: 'm_bench',
    terminalId: 't_bench',
    orderId: 'order-000001',
    checkoutNonce: claims.checkoutNonce,
    cardRef: claims.cardRef,
    lastCounter: 6,
  };
  const token = signToken(claims, (tbs) => p.p256Sign(key, tbs));
  return { key, publicKey, claims, expected, token };
}

export function benchToken(providers: Record<string, HostCryptoProvider>, ms: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, p] of Object.entries(providers)) {
    const t = sampleToken(p);
    out[`${name}.tokenSign`] = measure(() => signToken(t.claims, (tbs) => p.p256Sign(t.key, tbs)), ms);
    out[`${name}.tokenVerify`] = measure(() => {
      if (!verifyToken(p, t.token, t.publicKey, t.expected).verified) throw new Error('bench token refused');
    }, ms);
  }
  const node = providers.node;
  const t = sampleToken(node);
  const key = { x: Buffer.from(t.publicKey.subarray(1, 33)), y: Buffer.from(t.publicKey.subarray(33)) };
  const buf = Buffer.from(t.token);
  out['independent.coseJsVerify'] = measure(() => cose.sign.verifySync(buf, { key }), ms);
  return out;
}
