/**
 * The cose-wg COSE_Sign1 ES256 examples (test/vectors/cose/, copied from
 * github.com/cose-wg/Examples at commit 53c9d634333bb4f529d78f5980fffa2667ee2c12):
 * the 6 files without `fail` verify with the generic verifier (verifySign1) and the
 * example key, the 6 `fail` files are refused. The Sig_structure is always rebuilt from
 * `output.cbor` (the README's trap: a fail file's ToBeSign_hex is from before the
 * mutation, so its signature verifies over it).
 *
 * ecdsa-sig-01 and sign-fail-07 carry high-S signatures. RFC 9053 does not require low S,
 * so the generic verifier is run with a verify function that accepts either S (node:crypto
 * as a reference, and each provider's p256VerifyAnyS); the providers' strict p256Verify,
 * which the payment-token profile uses, refuses ecdsa-sig-01 for its high S.
 */
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type VerifyFn, decodeSign1, sigStructure, verifySign1 } from '../../shared/cose/sign1.ts';
import { verifyToken } from '../../shared/cose/token-verify.ts';
import type { CryptoProvider } from '../../shared/crypto/provider.ts';
import { Status } from '../../shared/status/codes.ts';
import { readVectorText } from '../support/vectors.ts';
import { hostProviders } from './providers.ts';

const PASS = [
  'sign1-tests/sign-pass-01.json',
  'sign1-tests/sign-pass-02.json',
  'sign1-tests/sign-pass-03.json',
  'ecdsa-examples/ecdsa-sig-01.json',
  'RFC8152/Appendix_C_2_1.json',
  'CWT/A_3.json',
];
const FAIL = [
  'sign1-tests/sign-fail-01.json',
  'sign1-tests/sign-fail-02.json',
  'sign1-tests/sign-fail-03.json',
  'sign1-tests/sign-fail-04.json',
  'sign1-tests/sign-fail-06.json',
  'sign1-tests/sign-fail-07.json',
];

interface Example {
  file: string;
  fail: boolean;
  bytes: Uint8Array;
  publicKey: Uint8Array;
  externalAad?: Uint8Array;
  toBeSigned: Uint8Array;
}

const b = (s: string, enc: 'hex' | 'base64url') => new Uint8Array(Buffer.from(s, enc));
function load(file: string): Example {
  const j = JSON.parse(readVectorText('cose/' + file));
  const k = j.input.sign0.key;
  const x = k.x ? b(k.x, 'base64url') : b(k.x_hex, 'hex');
  const y = k.y ? b(k.y, 'base64url') : b(k.y_hex, 'hex');
  const publicKey = new Uint8Array([4, ...x, ...y]);
  const ext = j.input.sign0.external;
  return {
    file,
    fail: j.fail === true,
    bytes: b(j.output.cbor, 'hex'),
    publicKey,
    externalAad: ext ? b(ext, 'hex') : undefined,
    toBeSigned: b(j.intermediates.ToBeSign_hex, 'hex'),
  };
}
const EXAMPLES = [...PASS, ...FAIL].map(load);

/** Reference ES256 verification with node:crypto (any S), independent of our providers. */
const referenceVerify: VerifyFn = (pub, msg, sig) => {
  const key = createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(pub.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(pub.subarray(33)).toString('base64url'),
    },
  });
  return nodeVerify('sha256', msg, { key, dsaEncoding: 'ieee-p1363' }, sig);
};

const providers = hostProviders();
const verifiers: Array<[string, VerifyFn]> = [
  ['node:crypto reference', referenceVerify],
  ...providers.map((p): [string, VerifyFn] => [
    p.name + ' p256VerifyAnyS',
    (k, m, s) => p.provider.p256VerifyAnyS(k, m, s),
  ]),
];

describe('the vector files', () => {
  it('are the 12 files of the README: 6 pass, 6 fail', () => {
    expect(EXAMPLES.filter((e) => !e.fail).map((e) => e.file)).toEqual(PASS);
    expect(EXAMPLES.filter((e) => e.fail).map((e) => e.file)).toEqual(FAIL);
  });
  it("the trap: each fail file's ToBeSign_hex is from before the mutation (its signature verifies over it)", () => {
    for (const e of EXAMPLES.filter((x) => x.fail)) {
      const s = decodeSign1(e.bytes, false);
      if (!s.ok) continue; // fail-01: tag 998
      expect(referenceVerify(e.publicKey, e.toBeSigned, s.value.signature), e.file).toBe(true);
    }
  });
  it('for the pass files, the Sig_structure rebuilt from output.cbor equals ToBeSign_hex', () => {
    for (const e of EXAMPLES.filter((x) => !x.fail)) {
      const s = decodeSign1(e.bytes, false);
      expect(s.ok, e.file).toBe(true);
      if (!s.ok) continue;
      // RFC 9052 §4.4: an empty protected map (pass-01 carries it as h'A0') is signed as h''.
      const bodyProtected = s.value.protectedHeader.size === 0 ? new Uint8Array(0) : s.value.protectedBytes;
      const tbs = sigStructure(bodyProtected, e.externalAad || new Uint8Array(0), s.value.payload);
      expect(Buffer.from(tbs).toString('hex'), e.file).toBe(Buffer.from(e.toBeSigned).toString('hex'));
    }
  });
});

describe.each(verifiers)('verifySign1 with %s', (_name, verify) => {
  it.each(EXAMPLES.filter((e) => !e.fail))('$file verifies', (e) => {
    expect(verifySign1(verify, e.bytes, e.publicKey, e.externalAad)).toMatchObject({ ok: true });
  });
  it.each(EXAMPLES.filter((e) => e.fail))('$file is refused', (e) => {
    expect(verifySign1(verify, e.bytes, e.publicKey, e.externalAad)).toMatchObject({ ok: false });
  });
  it('pass-02 without its external AAD is refused (the AAD is really bound)', () => {
    const e = EXAMPLES.find((x) => x.file.endsWith('sign-pass-02.json')) as Example;
    expect(verifySign1(verify, e.bytes, e.publicKey)).toMatchObject({ ok: false, status: Status.BAD_SIGNATURE });
  });
  it('every pass file is refused under another key', () => {
    const other = EXAMPLES.find((x) => x.file === 'CWT/A_3.json') as Example;
    for (const e of EXAMPLES.filter((x) => !x.fail && x !== other)) {
      expect(verifySign1(verify, e.bytes, other.publicKey, e.externalAad), e.file).toMatchObject({ ok: false });
    }
  });
});

describe('why each fail file is refused', () => {
  const why: Record<string, [number, RegExp]> = {
    'sign1-tests/sign-fail-01.json': [Status.MALFORMED, /tag 998/],
    'sign1-tests/sign-fail-02.json': [Status.BAD_SIGNATURE, /does not verify/],
    'sign1-tests/sign-fail-03.json': [Status.MALFORMED, /not ES256/],
    'sign1-tests/sign-fail-04.json': [Status.MALFORMED, /not ES256/],
    'sign1-tests/sign-fail-06.json': [Status.BAD_SIGNATURE, /does not verify/],
    'sign1-tests/sign-fail-07.json': [Status.BAD_SIGNATURE, /does not verify/],
  };
  it.each(FAIL)('%s', (file) => {
    const e = EXAMPLES.find((x) => x.file === file) as Example;
    const r = verifySign1(referenceVerify, e.bytes, e.publicKey, e.externalAad);
    expect(r).toMatchObject({ ok: false, status: why[file][0], detail: expect.stringMatching(why[file][1]) });
  });
});

describe.each(providers)("$name provider, strict p256Verify (the token profile's low-S rule)", ({ provider }) => {
  it('refuses ecdsa-sig-01, whose signature is high-S, and accepts the other five pass files', () => {
    for (const e of EXAMPLES.filter((x) => !x.fail)) {
      const r = verifySign1((k, m, s) => provider.p256Verify(k, m, s), e.bytes, e.publicKey, e.externalAad);
      expect(r.ok, e.file).toBe(!e.file.includes('ecdsa-sig-01'));
    }
  });
});

describe('the strict token verifier refuses the generic-only forms, by profile (PROTOCOL.md §4)', () => {
  /** A provider that must never be reached: the refusals below are structural. */
  const untouchable = new Proxy(
    {},
    {
      get: () => {
        throw new Error('crypto reached');
      },
    },
  ) as CryptoProvider;
  const trade = (kid: Uint8Array) => ({
    deviceId: kid,
    amount: 1,
    currency: 'EUR',
    merchantId: 'm',
    terminalId: 't',
    orderId: 'o',
    checkoutNonce: new Uint8Array(16),
  });
  const kid11 = new TextEncoder().encode('11');
  it('pass-01 (empty protected header, alg in the unprotected bucket) is refused at the protected-header step', () => {
    const e = EXAMPLES.find((x) => x.file.endsWith('sign-pass-01.json')) as Example;
    expect(verifyToken(untouchable, e.bytes, e.publicKey, trade(kid11))).toEqual({
      verified: false,
      status: Status.MALFORMED,
      step: 'protected-header',
    });
  });
  it('pass-03 (untagged COSE_Sign1) is refused at the tag step', () => {
    const e = EXAMPLES.find((x) => x.file.endsWith('sign-pass-03.json')) as Example;
    expect(verifyToken(untouchable, e.bytes, e.publicKey, trade(kid11))).toEqual({
      verified: false,
      status: Status.MALFORMED,
      step: 'tag',
    });
  });
  it("no cose-wg example passes the token verifier: those with the profile's headers ({1: -7}, tagged) fail on their claims", () => {
    const provider = hostProviders()[0].provider;
    for (const e of EXAMPLES) {
      const r = verifyToken(provider, e.bytes, e.publicKey, trade(kid11));
      expect(r.verified, e.file).toBe(false);
      // Reaching crypto is fine only for a profile-shaped message; its payload is no claims map.
      if (!r.verified && !['structure', 'tag', 'protected-header', 'unprotected-header'].includes(r.step)) {
        expect(['key', 'signature-length', 'signature', 'claims'], e.file).toContain(r.step);
      }
    }
  });
});
