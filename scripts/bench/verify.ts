/**
 * Our payment-token verifier beside SimpleWebAuthn's `verifyAuthenticationResponse`, the
 * library a merchant would otherwise reach for: an equivalent WebAuthn assertion (ES256 key,
 * authenticatorData with rpIdHash, UP|UV flags and a signature counter, clientDataJSON with
 * challenge and origin, DER signature over authData ‖ SHA-256(clientDataJSON)), built here
 * with node:crypto. Both check a signature plus what it signed (challenge/nonce, origin/
 * merchant, counter). SimpleWebAuthn is async, so it is timed with an async loop; the two
 * alternate slice by slice so both see the same machine.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { cborMap } from '../../shared/cbor/types.ts';
import { verifyToken } from '../../shared/cose/token-verify.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { measure } from './measure.ts';
import { sampleToken } from './token.ts';

const RP_ID = 'wristpay.example';
const ORIGIN = 'https://wristpay.example';
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** Like measure(), for a function returning a promise: awaited one after another. */
export async function measureAsync(fn: () => Promise<void>, ms: number, slices = 3): Promise<number> {
  const warmEnd = performance.now() + Math.min(50, ms / 4);
  while (performance.now() < warmEnd) await fn();
  let best = 0;
  for (let s = 0; s < slices; s++) {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms / slices) {
      await fn();
      n += 1;
      now = performance.now();
    }
    best = Math.max(best, (n * 1000) / (now - start));
  }
  return Math.round(best);
}

/** A valid ES256 WebAuthn assertion and the stored credential that verifies it. */
export function sampleAssertion() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const point = publicKey.export({ format: 'der', type: 'spki' }).subarray(-65);
  const cosePublicKey = encodeCborHost(
    cborMap([1, 2], [3, -7], [-1, 1], [-2, point.subarray(1, 33)], [-3, point.subarray(33)]),
  );
  const id = b64(randomBytes(16));
  const challenge = b64(randomBytes(32));
  const authData = Buffer.concat([
    createHash('sha256').update(RP_ID).digest(),
    Buffer.from([0x05]),
    Buffer.from([0, 0, 0, 8]),
  ]);
  const clientDataJSON = Buffer.from(
    JSON.stringify({ type: 'webauthn.get', challenge, origin: ORIGIN, crossOrigin: false }),
  );
  const signature = sign(
    'sha256',
    Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]),
    privateKey,
  );
  return {
    response: {
      id,
      rawId: id,
      type: 'public-key' as const,
      clientExtensionResults: {},
      response: { authenticatorData: b64(authData), clientDataJSON: b64(clientDataJSON), signature: b64(signature) },
    },
    expectedChallenge: challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    credential: { id, publicKey: new Uint8Array(cosePublicKey), counter: 7 },
    requireUserVerification: true,
  };
}

export async function benchVerify(
  node: HostCryptoProvider,
  ms: number,
): Promise<{ ours: number; simpleWebAuthn: number }> {
  const opts = sampleAssertion();
  const verifySwa = async () => {
    if (!(await verifyAuthenticationResponse(opts)).verified) throw new Error('bench assertion refused');
  };
  await verifySwa();
  const t = sampleToken(node);
  const verifyOurs = () => {
    if (!verifyToken(node, t.token, t.publicKey, t.expected).verified) throw new Error('bench token refused');
  };
  let ours = 0;
  let simpleWebAuthn = 0;
  for (let round = 0; round < 3; round++) {
    ours = Math.max(ours, measure(verifyOurs, ms / 3));
    simpleWebAuthn = Math.max(simpleWebAuthn, await measureAsync(verifySwa, ms / 3));
  }
  return { ours, simpleWebAuthn };
}
