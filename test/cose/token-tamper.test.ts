/**
 * A real payment token against a hostile relay: every single-bit flip and every
 * truncation is refused, oversize tokens are refused before parsing, and an independent
 * COSE library (cose-js, on the `cbor` and `elliptic` packages) verifies our token with
 * the public key alone and an empty external_aad, as PROTOCOL.md §4 promises, and
 * refuses it with a flipped bit. Runs with each host provider.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeSign1 } from '../../shared/cose/sign1.ts';
import { MAX_TOKEN_BYTES } from '../../shared/cose/token.ts';
import { verifyToken } from '../../shared/cose/token-verify.ts';
import { Status } from '../../shared/status/codes.ts';
import { hostProviders } from './providers.ts';
import { flipBit, makeFixture } from './token-fixture.ts';

interface CoseJs {
  sign: {
    verify(message: Buffer, verifier: { key: { x: Buffer; y: Buffer } }, options?: object): Promise<Buffer>;
    verifySync(message: Buffer, verifier: { key: { x: Buffer; y: Buffer } }, options?: object): Buffer;
  };
}
const cose = createRequire(import.meta.url)('cose-js') as CoseJs;

const providers = hostProviders();

describe.each(providers)('$name provider', ({ provider }) => {
  const f = makeFixture(provider);
  const verify = (token: Uint8Array) => verifyToken(provider, token, f.publicKey, f.expected);

  it('the untouched token verifies', () => {
    expect(verify(f.token).verified).toBe(true);
  });

  it(`every one of the token's bits, flipped alone, is refused`, () => {
    const accepted: number[] = [];
    const steps = new Map<string, number>();
    for (let bit = 0; bit < f.token.length * 8; bit++) {
      const v = verify(flipBit(f.token, bit));
      if (v.verified) accepted.push(bit);
      else steps.set(v.step, (steps.get(v.step) || 0) + 1);
    }
    expect(accepted).toEqual([]);
    // Flips in the signature, payload and protected header all end at the signature (or earlier).
    expect(steps.get('signature')).toBeGreaterThan(64 * 8 - 1);
  });

  it('every truncation (0 .. length-1 bytes) is refused as MALFORMED', () => {
    for (let len = 0; len < f.token.length; len++) {
      expect(verify(f.token.subarray(0, len))).toMatchObject({ verified: false, status: Status.MALFORMED });
    }
  });

  it('tokens above 512 bytes are refused before parsing (OVERSIZE), a valid prefix notwithstanding', () => {
    const long = f.build({ claims: { orderId: 'x'.repeat(MAX_TOKEN_BYTES) } });
    expect(long.length).toBeGreaterThan(MAX_TOKEN_BYTES);
    expect(verify(long)).toEqual({ verified: false, status: Status.OVERSIZE, step: 'size' });
    const padded = new Uint8Array(MAX_TOKEN_BYTES + 1);
    padded.set(f.token);
    expect(verify(padded)).toEqual({ verified: false, status: Status.OVERSIZE, step: 'size' });
    // 512 bytes exactly is not refused for its size (it fails later, on the trailing zeros).
    expect(verify(padded.subarray(0, MAX_TOKEN_BYTES))).toEqual({
      verified: false,
      status: Status.MALFORMED,
      step: 'structure',
    });
  });

  describe('independent verification with cose-js', () => {
    const x = Buffer.from(f.publicKey.subarray(1, 33));
    const y = Buffer.from(f.publicKey.subarray(33, 65));
    const payload = (() => {
      const s = decodeSign1(f.token, true);
      if (!s.ok) throw new Error('token');
      return s.value.payload;
    })();

    it('accepts our token with the public key alone (empty external_aad) and returns the claims payload', async () => {
      const out = await cose.sign.verify(Buffer.from(f.token), { key: { x, y } });
      expect(Buffer.from(out).equals(Buffer.from(payload))).toBe(true);
      expect(
        Buffer.from(cose.sign.verifySync(Buffer.from(f.token), { key: { x, y } })).equals(Buffer.from(payload)),
      ).toBe(true);
    });

    it('refuses the token with one flipped bit in the payload, in the signature, or in the protected header', async () => {
      const sigStart = f.token.length - 64;
      const payloadAt = sigStart - 2 - payload.length; // payload bstr, then a 2-byte head for the 64-byte signature
      for (const bit of [
        payloadAt * 8 + 7,
        (payloadAt + 20) * 8,
        sigStart * 8 + 100,
        (f.token.length - 1) * 8 + 7,
        7 * 8 + 3,
      ]) {
        await expect(
          cose.sign.verify(Buffer.from(flipBit(f.token, bit)), { key: { x, y } }),
          `bit ${bit}`,
        ).rejects.toThrow();
      }
    });

    it('refuses our token under another key', async () => {
      const other = provider.p256PublicKey(provider.p256Generate());
      await expect(
        cose.sign.verify(Buffer.from(f.token), {
          key: { x: Buffer.from(other.subarray(1, 33)), y: Buffer.from(other.subarray(33)) },
        }),
      ).rejects.toThrow();
    });
  });
});
