/**
 * The payment token verifier (shared/cose/token-verify.ts), one guard clause at a time:
 * a token signed with a provider key verifies, and for every step of the verifier there
 * is a token (or a trade, or a key) that trips exactly that step, with its status. The
 * list of steps is read from the verifier's source, so a new guard needs a test here.
 * Runs once per host provider, signing with one and verifying with each.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CborMap, encodeCbor } from '../../shared/cbor/index.ts';
import { claimsToCbor } from '../../shared/cose/token.ts';
import { type ExpectedTrade, type TokenVerdict, verifyToken } from '../../shared/cose/token-verify.ts';
import { N_BYTES, flipS, isHighS } from '../../shared/crypto/p256-host.ts';
import { TokenFlag } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import { hostProviders } from './providers.ts';
import { type Fixture, makeFixture } from './token-fixture.ts';

const providers = hostProviders();
const { WORN, UNLOCKED, CONFIRMED, EXPRESS } = TokenFlag;

/** Every step name the verifier can refuse at, read from its source. */
const STEPS = [
  ...readFileSync(new URL('../../shared/cose/token-verify.ts', import.meta.url), 'utf8').matchAll(
    /refuse\([^;]*?'([\w-]+)'\)/g,
  ),
].map((m) => m[1]);

interface Trip {
  name: string;
  step: string;
  status: StatusCode;
  /** What to verify: a token, and optionally another key or trade. */
  make: (
    f: Fixture,
    otherKey: Uint8Array,
  ) => { token?: Uint8Array; publicKey?: Uint8Array; expected?: Partial<ExpectedTrade> };
}

const other = (b: Uint8Array) => {
  const o = new Uint8Array(b);
  o[o.length - 1] ^= 1;
  return o;
};
const withS = (sig: Uint8Array, s: Uint8Array) => new Uint8Array([...sig.subarray(0, 32), ...s]);
const withR = (sig: Uint8Array, r: Uint8Array) => new Uint8Array([...r, ...sig.subarray(32)]);

const TRIPS: Trip[] = [
  {
    name: 'a 513-byte token',
    step: 'size',
    status: Status.OVERSIZE,
    make: (f) => ({ token: f.build({ claims: { orderId: 'x'.repeat(400) } }) }),
  },
  {
    name: 'not a Uint8Array',
    step: 'size',
    status: Status.OVERSIZE,
    make: () => ({ token: 'd284' as unknown as Uint8Array }),
  },
  {
    name: 'not CBOR',
    step: 'structure',
    status: Status.MALFORMED,
    make: () => ({ token: new Uint8Array([0xff, 0x00]) }),
  },
  {
    name: 'tag 98 (COSE_Sign)',
    step: 'structure',
    status: Status.MALFORMED,
    make: (f) => ({ token: new Uint8Array([0xd8, 0x62, ...f.token.subarray(1)]) }),
  },
  {
    name: 'trailing byte',
    step: 'structure',
    status: Status.MALFORMED,
    make: (f) => ({ token: new Uint8Array([...f.token, 0]) }),
  },
  { name: 'untagged', step: 'tag', status: Status.MALFORMED, make: (f) => ({ token: f.build({ tagged: false }) }) },
  {
    name: 'alg ES384',
    step: 'protected-header',
    status: Status.MALFORMED,
    make: (f) => ({ token: f.build({ protectedMap: new CborMap([1], [-35]) }) }),
  },
  // The profile is {1: -7} exactly: the old header with the device id as kid is refused (one encoding per meaning).
  {
    name: 'a kid (the device id)',
    step: 'protected-header',
    status: Status.MALFORMED,
    make: (f) => ({ token: f.build({ protectedMap: new CborMap([1, 4], [-7, f.deviceId]) }) }),
  },
  {
    name: 'kid as text',
    step: 'protected-header',
    status: Status.MALFORMED,
    make: (f) => ({ token: f.build({ protectedMap: new CborMap([1, 4], [-7, 'kid']) }) }),
  },
  {
    name: 'an extra protected header (content type)',
    step: 'protected-header',
    status: Status.MALFORMED,
    make: (f) => ({ token: f.build({ protectedMap: new CborMap([1, 3], [-7, 0]) }) }),
  },
  {
    name: 'empty protected header',
    step: 'protected-header',
    status: Status.MALFORMED,
    make: (f) => ({ token: f.build({ protectedBytes: new Uint8Array(0) }) }),
  },
  {
    name: 'kid in the unprotected header too',
    step: 'unprotected-header',
    status: Status.MALFORMED,
    make: (f) => ({ token: f.build({ unprotected: new CborMap([4], [f.deviceId]) }) }),
  },
  {
    name: 'off-curve public key',
    step: 'key',
    status: Status.INVALID_KEY,
    make: (f) => ({ publicKey: other(f.publicKey) }),
  },
  {
    name: 'compressed public key',
    step: 'key',
    status: Status.INVALID_KEY,
    make: (f) => ({ publicKey: new Uint8Array([2 + (f.publicKey[64] & 1), ...f.publicKey.subarray(1, 33)]) }),
  },
  {
    name: 'public key without its 0x04 prefix',
    step: 'key',
    status: Status.INVALID_KEY,
    make: (f) => ({ publicKey: f.publicKey.subarray(1) }),
  },
  {
    name: 'all-zero public key',
    step: 'key',
    status: Status.INVALID_KEY,
    make: () => ({ publicKey: new Uint8Array(65) }),
  },
  {
    name: '63-byte signature',
    step: 'signature-length',
    status: Status.BAD_SIGNATURE,
    make: (f) => ({ token: f.build({ signature: (s) => s.subarray(0, 63) }) }),
  },
  {
    name: '65-byte signature',
    step: 'signature-length',
    status: Status.BAD_SIGNATURE,
    make: (f) => ({ token: f.build({ signature: (s) => new Uint8Array([...s, 0]) }) }),
  },
  {
    name: 'empty signature',
    step: 'signature-length',
    status: Status.BAD_SIGNATURE,
    make: (f) => ({ token: f.build({ signature: () => new Uint8Array(0) }) }),
  },
  {
    name: 'the high-S twin of the signature',
    step: 'signature',
    status: Status.BAD_SIGNATURE,
    make: (f) => ({ token: f.build({ signature: flipS }) }),
  },
  {
    name: 's = 0',
    step: 'signature',
    status: Status.BAD_SIGNATURE,
    make: (f) => ({ token: f.build({ signature: (s) => withS(s, new Uint8Array(32)) }) }),
  },
  {
    name: 'r = n',
    step: 'signature',
    status: Status.BAD_SIGNATURE,
    make: (f) => ({ token: f.build({ signature: (s) => withR(s, N_BYTES) }) }),
  },
  {
    name: "another key's public key",
    step: 'signature',
    status: Status.BAD_SIGNATURE,
    make: (_f, otherKey) => ({ publicKey: otherKey }),
  },
  {
    name: 'signature over other claims',
    step: 'signature',
    status: Status.BAD_SIGNATURE,
    make: (f) => ({
      token: f.build({
        signature: () => f.sign(encodeCbor(['Signature1', new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)])),
      }),
    }),
  },
  {
    name: 'claims with an unknown key',
    step: 'claims',
    status: Status.MALFORMED,
    make: (f) => ({ token: f.build({ payload: encodeCbor(claimsToCbor(f.claims).set(12, 0)) }) }),
  },
  {
    name: 'claims not a map',
    step: 'claims',
    status: Status.MALFORMED,
    make: (f) => ({ token: f.build({ payload: encodeCbor([1, 2]) }) }),
  },
  {
    name: 'claims deviceId names another band',
    step: 'deviceId',
    status: Status.CLAIM_MISMATCH,
    make: (f) => ({ token: f.build({ claims: { deviceId: other(f.deviceId) } }) }),
  },
  {
    name: "a token checked against another band's trade",
    step: 'deviceId',
    status: Status.CLAIM_MISMATCH,
    make: (f) => ({ expected: { deviceId: other(f.deviceId) } }),
  },
  {
    name: 'amount',
    step: 'amount',
    status: Status.CLAIM_MISMATCH,
    make: (f) => ({ expected: { amount: f.expected.amount + 1 } }),
  },
  {
    name: 'currency',
    step: 'currency',
    status: Status.CLAIM_MISMATCH,
    make: () => ({ expected: { currency: 'USD' } }),
  },
  {
    name: 'merchantId',
    step: 'merchantId',
    status: Status.CLAIM_MISMATCH,
    make: () => ({ expected: { merchantId: 'm-002' } }),
  },
  {
    name: 'terminalId',
    step: 'terminalId',
    status: Status.CLAIM_MISMATCH,
    make: () => ({ expected: { terminalId: 't-02' } }),
  },
  {
    name: 'orderId',
    step: 'orderId',
    status: Status.CLAIM_MISMATCH,
    make: () => ({ expected: { orderId: 'order-43' } }),
  },
  {
    name: 'checkoutNonce',
    step: 'checkoutNonce',
    status: Status.CLAIM_MISMATCH,
    make: (f) => ({ expected: { checkoutNonce: other(f.expected.checkoutNonce) } }),
  },
  {
    name: 'cardRef',
    step: 'cardRef',
    status: Status.CLAIM_MISMATCH,
    make: () => ({ expected: { cardRef: 'card-ref-2' } }),
  },
  {
    name: 'counter equal to lastCounter',
    step: 'counter',
    status: Status.COUNTER_NOT_INCREASING,
    make: (f) => ({ expected: { lastCounter: f.claims.counter } }),
  },
  {
    name: 'counter below lastCounter',
    step: 'counter',
    status: Status.COUNTER_NOT_INCREASING,
    make: (f) => ({ expected: { lastCounter: f.claims.counter + 1 } }),
  },
  {
    name: 'flags without worn',
    step: 'flags-worn',
    status: Status.NOT_WORN,
    make: (f) => ({ token: f.build({ claims: { flags: UNLOCKED | CONFIRMED } }) }),
  },
  {
    name: 'express token for a non-express trade',
    step: 'flags-express',
    status: Status.CLAIM_MISMATCH,
    make: (f) => ({ token: f.build({ claims: { flags: WORN | UNLOCKED | EXPRESS } }) }),
  },
  {
    name: 'non-express token for an express trade',
    step: 'flags-express',
    status: Status.CLAIM_MISMATCH,
    make: () => ({ expected: { express: true } }),
  },
  {
    name: 'worn but locked, not express',
    step: 'flags-unlocked',
    status: Status.LOCKED,
    make: (f) => ({ token: f.build({ claims: { flags: WORN | CONFIRMED } }) }),
  },
  {
    name: 'above the limit, not confirmed',
    step: 'flags-confirmed',
    status: Status.LIMIT_EXCEEDED,
    make: () => ({ expected: { requireConfirmed: true } }),
  },
];

describe('the guard table', () => {
  it('names every step the verifier can refuse at', () => {
    expect(STEPS.length).toBeGreaterThan(20);
    expect([...new Set(TRIPS.map((t) => t.step))].sort()).toEqual([...new Set(STEPS)].sort());
  });
});

const pairs = providers.flatMap((s) =>
  providers.map((v) => ({ signer: s, verifier: v, name: `signed by ${s.name}, verified by ${v.name}` })),
);

describe.each(pairs)('$name', ({ signer, verifier }) => {
  const f = makeFixture(signer.provider);
  const otherKey = verifier.provider.p256PublicKey(verifier.provider.p256Generate());
  const run = (token = f.token, publicKey = f.publicKey, expected: Partial<ExpectedTrade> = {}): TokenVerdict =>
    verifyToken(verifier.provider, token, publicKey, { ...f.expected, ...expected });

  it('accepts the token, returning its claims', () => {
    expect(isHighS(f.token.subarray(f.token.length - 64))).toBe(false);
    expect(run()).toEqual({ verified: true, claims: f.claims });
  });
  it.each(TRIPS)('refuses $name at step $step', (t) => {
    const m = t.make(f, otherKey);
    expect(run(m.token, m.publicKey, m.expected)).toEqual({ verified: false, status: t.status, step: t.step });
  });

  describe('what the rules let through', () => {
    const ok = (token: Uint8Array, expected: Partial<ExpectedTrade>) =>
      expect(run(token, f.publicKey, expected).verified).toBe(true);
    it('counter one above lastCounter, and no lastCounter at all', () => {
      ok(f.token, { lastCounter: f.claims.counter - 1 });
      ok(f.token, { lastCounter: undefined });
    });
    it('express fare: worn is enough (not unlocked, not confirmed)', () =>
      ok(f.build({ claims: { flags: WORN | EXPRESS } }), { express: true }));
    it('confirmed above the limit', () =>
      ok(f.build({ claims: { flags: WORN | UNLOCKED | CONFIRMED } }), { requireConfirmed: true }));
    it('all four flags for a confirmed express trade', () =>
      ok(f.build({ claims: { flags: 15 } }), { express: true, requireConfirmed: true }));
    it('cardRef not checked when the trade names none', () =>
      ok(f.build({ claims: { cardRef: 'whatever' } }), { cardRef: undefined }));
  });
});

describe('providers', () => {
  it('at least one host provider is present', () => {
    expect(providers.length).toBeGreaterThan(0);
  });
});
