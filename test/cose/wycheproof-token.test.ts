/**
 * Wycheproof ECDSA P-256/SHA-256 with P1363 signatures (test/vectors/wycheproof/
 * ecdsa_secp256r1_sha256_p1363_test.json, C2SP/wycheproof commit dac1dd47, 262 tests)
 * pushed through the payment-token verifier's signature step.
 *
 * verifyToken signs nothing of its own choosing: it hashes the token's Sig_structure, so
 * it cannot be handed Wycheproof's message directly. The first block shows, with a spying
 * provider, that verifyToken's signature verdict is exactly one call of
 * provider.p256Verify(publicKey, Sig_structure, signature) (and never p256VerifyAnyS).
 * The second builds, for every Wycheproof test, a token carrying its signature bytes
 * (any length) and runs verifyToken with a provider wrapper that checks it was handed the
 * token's Sig_structure and swaps in the message Wycheproof signed: everything else
 * (key check, length check, low-S rule, the math) is the real verifier and provider.
 *
 * 70 of the 173 "valid" vectors are high-S. The token profile is low-S only (PROTOCOL.md
 * §4; both providers' p256Verify refuse s > n/2), so those 70 are refused by the token
 * verifier on purpose; p256VerifyAnyS accepts them and their low-S twins pass verifyToken.
 */
import { describe, expect, it } from 'vitest';
import { decodeSign1, encodeSign1, sigStructure } from '../../shared/cose/sign1.ts';
import { type ExpectedTrade, verifyToken } from '../../shared/cose/token-verify.ts';
import { CborMap, encodeCbor } from '../../shared/cbor/index.ts';
import { claimsToCbor } from '../../shared/cose/token.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { flipS, isHighS, isWellFormedSignature } from '../../shared/crypto/p256-host.ts';
import { Status } from '../../shared/status/codes.ts';
import { readVectorJson } from '../support/vectors.ts';
import { hostProviders } from './providers.ts';
import { makeFixture } from './token-fixture.ts';

interface WyTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: 'valid' | 'invalid' | 'acceptable';
}
interface WyFile {
  numberOfTests: number;
  testGroups: Array<{ publicKey: { uncompressed: string }; tests: WyTest[] }>;
}

const FILE = readVectorJson<WyFile>('wycheproof/ecdsa_secp256r1_sha256_p1363_test.json');
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const CASES = FILE.testGroups.flatMap((g) =>
  g.tests.map((t) => ({ ...t, pub: hex(g.publicKey.uncompressed), m: hex(t.msg), s: hex(t.sig) })),
);
const highS = (s: Uint8Array) => s.length === 64 && isHighS(s);
const providers = hostProviders();

describe('the Wycheproof file', () => {
  it('holds 262 tests: 173 valid (103 low-S, 70 high-S), 89 invalid, 0 acceptable', () => {
    expect(FILE.numberOfTests).toBe(262);
    expect(CASES.length).toBe(262);
    const valid = CASES.filter((c) => c.result === 'valid');
    expect(valid.length).toBe(173);
    expect(valid.filter((c) => highS(c.s)).length).toBe(70);
    expect(CASES.filter((c) => c.result === 'invalid').length).toBe(89);
    expect(CASES.filter((c) => c.result === 'acceptable').length).toBe(0);
  });
});

/** A token with the given signature bytes, for a key, and the trade it answers. */
function tokenFor(provider: HostCryptoProvider, pub: Uint8Array, signature: Uint8Array) {
  const deviceId = provider.sha256(pub).subarray(0, 16);
  const claims = {
    deviceId,
    cardRef: 'c',
    amount: 1,
    currency: 'EUR',
    merchantId: 'm',
    terminalId: 't',
    orderId: 'o',
    checkoutNonce: new Uint8Array(16),
    counter: 1,
    time: 0,
    flags: 3,
  };
  const protectedBytes = encodeCbor(new CborMap([1], [-7]));
  const payload = encodeCbor(claimsToCbor(claims));
  const expected: ExpectedTrade = {
    deviceId,
    amount: 1,
    currency: 'EUR',
    merchantId: 'm',
    terminalId: 't',
    orderId: 'o',
    checkoutNonce: new Uint8Array(16),
  };
  return {
    token: encodeSign1(protectedBytes, new CborMap(), payload, signature, true),
    tbs: sigStructure(protectedBytes, new Uint8Array(0), payload),
    expected,
  };
}

/** `real`, with p256Verify / p256VerifyAnyS calls recorded and optionally rewritten. */
function spying(
  real: HostCryptoProvider,
  rewrite?: (pub: Uint8Array, msg: Uint8Array, sig: Uint8Array) => [Uint8Array, Uint8Array, Uint8Array],
) {
  const calls: Array<{ fn: string; pub: Uint8Array; msg: Uint8Array; sig: Uint8Array; result: boolean }> = [];
  const p: HostCryptoProvider = Object.create(real);
  p.p256Verify = (pub, msg, sig) => {
    const [a, m, g] = rewrite ? rewrite(pub, msg, sig) : [pub, msg, sig];
    const result = real.p256Verify(a, m, g);
    calls.push({ fn: 'p256Verify', pub, msg, sig, result });
    return result;
  };
  p.p256VerifyAnyS = (pub, msg, sig) => {
    const result = real.p256VerifyAnyS(pub, msg, sig);
    calls.push({ fn: 'p256VerifyAnyS', pub, msg, sig, result });
    return result;
  };
  return { p, calls };
}

describe.each(providers)('$name provider', ({ provider }) => {
  describe("verifyToken's signature step is exactly provider.p256Verify(publicKey, Sig_structure, signature)", () => {
    const f = makeFixture(provider);
    const s = decodeSign1(f.token, true);
    if (!s.ok) throw new Error('fixture token does not parse');
    const tbs = sigStructure(s.value.protectedBytes, new Uint8Array(0), s.value.payload);

    it("one call, with the public key, the rebuilt Sig_structure and the token's 64-byte signature", () => {
      const { p, calls } = spying(provider);
      expect(verifyToken(p, f.token, f.publicKey, f.expected).verified).toBe(true);
      expect(calls.map((c) => c.fn)).toEqual(['p256Verify']);
      expect(calls[0].pub).toEqual(f.publicKey);
      expect(Buffer.from(calls[0].msg).equals(Buffer.from(tbs))).toBe(true);
      expect(calls[0].sig).toEqual(s.value.signature);
    });
    it('its verdict is p256Verify\'s: false from the provider refuses the genuine token at step "signature"', () => {
      const liar: HostCryptoProvider = Object.create(provider);
      liar.p256Verify = () => false;
      expect(verifyToken(liar, f.token, f.publicKey, f.expected)).toEqual({
        verified: false,
        status: Status.BAD_SIGNATURE,
        step: 'signature',
      });
    });
  });

  describe('every Wycheproof test through verifyToken', () => {
    const outcome = CASES.map((c) => {
      const t = tokenFor(provider, c.pub, c.s);
      const { p, calls } = spying(provider, (pub, msg, sig) => {
        if (!Buffer.from(msg).equals(Buffer.from(t.tbs)))
          throw new Error('verifyToken passed something other than the Sig_structure');
        return [pub, c.m, sig];
      });
      const verdict = verifyToken(p, t.token, c.pub, t.expected);
      return { c, verdict, calls: calls.length };
    });
    const show = (o: (typeof outcome)[number]) =>
      `tc ${o.c.tcId} ${o.c.comment} → ${o.verdict.verified ? 'verified' : o.verdict.step}`;

    it('every valid low-S signature is accepted (103)', () => {
      const lowValid = outcome.filter((o) => o.c.result === 'valid' && !highS(o.c.s));
      expect(lowValid.length).toBe(103);
      expect(lowValid.filter((o) => !o.verdict.verified).map(show)).toEqual([]);
    });
    it('every valid high-S signature is refused at step "signature" by the low-S profile (70), its low-S twin accepted', () => {
      const highValid = outcome.filter((o) => o.c.result === 'valid' && highS(o.c.s));
      expect(highValid.length).toBe(70);
      expect(highValid.filter((o) => o.verdict.verified || o.verdict.step !== 'signature').map(show)).toEqual([]);
      for (const o of highValid) {
        expect(provider.p256VerifyAnyS(o.c.pub, o.c.m, o.c.s), `tc ${o.c.tcId}`).toBe(true);
        const twin = tokenFor(provider, o.c.pub, flipS(o.c.s));
        const { p } = spying(provider, (pub, _msg, sig) => [pub, o.c.m, sig]);
        expect(verifyToken(p, twin.token, o.c.pub, twin.expected).verified, `tc ${o.c.tcId} twin`).toBe(true);
      }
    });
    it('no invalid signature is accepted (0 of 89), each refused at a signature step', () => {
      const invalid = outcome.filter((o) => o.c.result === 'invalid');
      expect(invalid.length).toBe(89);
      expect(invalid.filter((o) => o.verdict.verified).map(show)).toEqual([]);
      expect(
        invalid
          .filter((o) => !o.verdict.verified && !['signature', 'signature-length'].includes(o.verdict.step))
          .map(show),
      ).toEqual([]);
      // Wrong-length signatures stop at the length guard, before the provider is asked.
      for (const o of invalid) expect(o.calls, `tc ${o.c.tcId}`).toBe(o.c.s.length === 64 ? 1 : 0);
    });
    it('acceptable tests are refused (none in this file)', () => {
      expect(outcome.filter((o) => o.c.result === 'acceptable' && o.verdict.verified).map(show)).toEqual([]);
    });
  });

  it('direct p256Verify / p256VerifyAnyS on the raw inputs agree with the results above', () => {
    for (const c of CASES) {
      const strict = provider.p256Verify(c.pub, c.m, c.s);
      const any = provider.p256VerifyAnyS(c.pub, c.m, c.s);
      expect(strict, `tc ${c.tcId} strict`).toBe(c.result === 'valid' && !highS(c.s));
      expect(any, `tc ${c.tcId} anyS`).toBe(c.result === 'valid');
      if (c.result === 'invalid' && c.s.length === 64 && !isWellFormedSignature(c.s)) expect(any).toBe(false);
    }
  });
});
