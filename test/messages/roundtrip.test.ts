/**
 * Round trips (fast-check, fixed seed): every clear-text message, sealed body and token
 * claims map encodes and decodes back to an equal value, and the compact codec (what the
 * band runs) and cbor-x (encodeCborHost, passed as the `encoder` argument) write the
 * same bytes. Strings are drawn from all of Unicode within the UTF-8 byte limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { utf8Length } from '../../shared/cbor/utf8.ts';
import { decodeSign1 } from '../../shared/cose/sign1.ts';
import {
  MAX_TOKEN_BYTES,
  type TokenClaims,
  claimsToCbor,
  decodeClaims,
  signToken,
  tokenProtectedHeader,
} from '../../shared/cose/token.ts';
import {
  type AnswerBody,
  type Card,
  type ChallengeBody,
  type HelloBody,
  type ResultBody,
  decodeAnswerBody,
  decodeChallengeBody,
  decodeHelloBody,
  decodeResultBody,
  encodeAnswerBody,
  encodeChallengeBody,
  encodeHelloBody,
  encodeResultBody,
} from '../../shared/messages/bodies.ts';
import { type Message, decodeMessage, encodeMessage } from '../../shared/messages/clear.ts';
import { type Encoder, defaultEncoder } from '../../shared/messages/envelope.ts';
import { Size, type WearStateCode } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { Result } from '../../shared/status/error.ts';

const RUNS = { seed: 0x7019, numRuns: 1500 };
const MAX_AMOUNT = 1e12;

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const bytesUpTo = (n: number) => fc.oneof(fc.uint8Array({ maxLength: n }), bytes(n));
const uintUpTo = (max: number) =>
  fc.oneof(
    fc.constantFrom(...[0, 1, 23, 24, 255, 256, max].filter((n) => n <= max)),
    fc.maxSafeNat().map((n) => n % (max + 1)),
  );
const anyUint = fc.oneof(fc.constantFrom(0, 24, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1), fc.maxSafeNat());
/** Text of at most `max` UTF-8 bytes, from any code point (astral included) or ASCII. */
const text = (max: number, min = 0) =>
  fc
    .oneof(
      fc.string({ unit: 'binary', maxLength: max }),
      fc.string({ unit: 'binary-ascii', minLength: min, maxLength: max }),
      fc.constant('支'.repeat(Math.floor(max / 3))),
    )
    .filter((s) => utf8Length(s) <= max && s.length >= min);
const currency = fc.stringMatching(/^[A-Z]{3}$/);
const status = fc.constantFrom(...(Object.values(Status) as StatusCode[]));

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    type: fc.constant('info' as const),
    maxMessageSize: uintUpTo(65535),
    firmware: text(Size.MAX_FIRMWARE),
    enrolled: fc.boolean(),
  }),
  fc.record({ type: fc.constant('hello' as const), enc: bytes(65), ct: bytesUpTo(Size.MAX_HELLO_CT) }),
  fc.record({
    type: fc.constant('enroll' as const),
    checkoutSigningKey: bytes(65),
    checkoutHpkeKey: bytes(65),
    nonce: bytes(16),
  }),
  fc.record({
    type: fc.constant('enrolled' as const),
    signingKey: bytes(65),
    hpkeKey: bytes(65),
    signature: bytes(64),
  }),
  fc.record({ type: fc.constant('challenge' as const), enc: bytes(65), ct: bytesUpTo(Size.MAX_CHALLENGE_CT) }),
  fc.record({ type: fc.constant('answer' as const), sealed: bytesUpTo(Size.MAX_ANSWER) }),
  fc.record({ type: fc.constant('result' as const), sealed: bytesUpTo(Size.MAX_RESULT) }),
  fc.record({
    type: fc.constant('keepalive' as const),
    status: fc.constantFrom(Status.CONFIRMATION_REQUIRED, Status.PROCESSING),
    remainingMs: uintUpTo(600000),
  }),
  fc.record({ type: fc.constant('error' as const), status: status.filter((c) => c !== Status.OK) }),
  fc.constant({ type: 'hello-request' as const }),
);

// A worn, locked band (state 1) always carries its unlock nonce; in any other state it never does.
const helloBody: fc.Arbitrary<HelloBody> = fc.oneof(
  fc.record({ deviceId: bytes(16), wearState: fc.constant<WearStateCode>(1), unlockNonce: bytes(16) }),
  fc.record({ deviceId: bytes(16), wearState: fc.constantFrom<WearStateCode>(0, 2, 3) }),
);

const card: fc.Arbitrary<Card> = fc.oneof(
  fc.record({
    kind: fc.constant('bank' as const),
    cardRef: text(Size.MAX_CARD_REF, 1),
    issuer: text(32),
    last4: fc.stringMatching(/^[0-9]{4}$/),
    isDefault: fc.boolean(),
    currency,
  }),
  fc.record({
    kind: fc.constant('transit' as const),
    cardRef: text(Size.MAX_CARD_REF, 1),
    issuer: text(32),
    last4: fc.stringMatching(/^[0-9]{4}$/),
    city: text(32),
    balance: uintUpTo(MAX_AMOUNT),
    fareCap: uintUpTo(MAX_AMOUNT),
    currency,
  }),
);

const common = { deviceId: bytes(16), nonce: bytes(16), expiry: anyUint };
const challengeBody: fc.Arbitrary<ChallengeBody> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('payment' as const),
      ...common,
      amount: uintUpTo(MAX_AMOUNT).filter((n) => n > 0),
      currency,
      merchantId: text(32, 1),
      merchantName: text(32),
      terminalId: text(32, 1),
      orderId: text(Size.MAX_ORDER_ID, 1),
      cardRef: text(Size.MAX_CARD_REF, 1),
      express: fc.boolean(),
    },
    {
      requiredKeys: [
        'kind',
        'deviceId',
        'nonce',
        'expiry',
        'amount',
        'currency',
        'merchantId',
        'merchantName',
        'terminalId',
        'orderId',
        'express',
      ],
    },
  ),
  fc.record({
    kind: fc.constant('unlock' as const),
    ...common,
    bandNonce: bytes(16),
    sessionMaxAgeMs: uintUpTo(7 * 24 * 3600 * 1000),
    limitPerPayment: uintUpTo(MAX_AMOUNT),
    limitPerDay: uintUpTo(MAX_AMOUNT),
  }),
  fc.record({ kind: fc.constant('provision' as const), ...common, card }),
  fc.record({ kind: fc.constant('remove-card' as const), ...common, cardRef: text(Size.MAX_CARD_REF, 1) }),
  fc.record({ kind: fc.constant('wipe' as const), ...common }),
  fc.record({
    kind: fc.constant('key-update' as const),
    ...common,
    signingKey: bytes(65),
    hpkeKey: bytes(65),
    epoch: fc.nat(),
  }),
);

const answerBody: fc.Arbitrary<AnswerBody> = fc.record(
  { status, token: bytesUpTo(MAX_TOKEN_BYTES), balance: uintUpTo(MAX_AMOUNT), cardCount: uintUpTo(8) },
  { requiredKeys: ['status'] },
);
const resultBody: fc.Arbitrary<ResultBody> = fc.record({ status });

const claims: fc.Arbitrary<TokenClaims> = fc.record({
  deviceId: bytes(16),
  cardRef: text(Size.MAX_CARD_REF),
  amount: uintUpTo(MAX_AMOUNT),
  currency,
  merchantId: text(32),
  terminalId: text(32),
  orderId: text(Size.MAX_ORDER_ID),
  checkoutNonce: bytes(16),
  counter: anyUint,
  time: anyUint,
  flags: uintUpTo(15),
});

interface Codec<T> {
  name: string;
  arb: fc.Arbitrary<T>;
  encode: (v: T, e?: Encoder) => Uint8Array;
  decode: (b: Uint8Array) => Result<T>;
}
const codecs: Array<Codec<any>> = [
  { name: 'clear-text message', arb: message, encode: encodeMessage, decode: decodeMessage } as Codec<Message>,
  { name: 'hello body', arb: helloBody, encode: encodeHelloBody, decode: decodeHelloBody } as Codec<HelloBody>,
  {
    name: 'challenge body',
    arb: challengeBody,
    encode: encodeChallengeBody,
    decode: decodeChallengeBody,
  } as Codec<ChallengeBody>,
  { name: 'answer body', arb: answerBody, encode: encodeAnswerBody, decode: decodeAnswerBody } as Codec<AnswerBody>,
  { name: 'result body', arb: resultBody, encode: encodeResultBody, decode: decodeResultBody } as Codec<ResultBody>,
  {
    name: 'token claims',
    arb: claims,
    encode: (c: TokenClaims, e?: Encoder) => (e || defaultEncoder)(claimsToCbor(c)),
    decode: decodeClaims,
  } as Codec<TokenClaims>,
];

describe.each(codecs)('$name', (c) => {
  it('decode(encode(v)) equals v', () => {
    fc.assert(
      fc.property(c.arb, (v) => {
        expect(c.decode(c.encode(v))).toEqual({ ok: true, value: v });
      }),
      RUNS,
    );
  });
  it('the compact codec and encodeCborHost write identical bytes', () => {
    fc.assert(
      fc.property(c.arb, (v) => {
        expect(Buffer.from(c.encode(v, encodeCborHost)).toString('hex')).toBe(Buffer.from(c.encode(v)).toString('hex'));
      }),
      RUNS,
    );
  });
});

describe('payment token structure', () => {
  const fixedSig = (tbs: Uint8Array) => new Uint8Array(64).fill(tbs.length & 0xff);
  it('signToken writes the same bytes with either encoder, and decodeSign1 (strict) takes it apart', () => {
    fc.assert(
      fc.property(claims, (c) => {
        const compact = signToken(c, fixedSig);
        expect(Buffer.from(signToken(c, fixedSig, encodeCborHost))).toEqual(Buffer.from(compact));
        expect(Buffer.from(tokenProtectedHeader(encodeCborHost))).toEqual(Buffer.from(tokenProtectedHeader()));
        expect(Buffer.from(tokenProtectedHeader()).toString('hex')).toBe('a10126'); // {1: -7}
        const s = decodeSign1(compact, true, MAX_TOKEN_BYTES);
        expect(s.ok).toBe(true);
        if (!s.ok) return;
        expect(s.value.tagged).toBe(true);
        expect(decodeClaims(s.value.payload)).toEqual({ ok: true, value: c });
      }),
      { ...RUNS, numRuns: 500 },
    );
  });
  it('the largest payment challenge the band accepts yields a token that fits MAX_TOKEN_BYTES and an answer body', () => {
    // Every text field at its limit in 3- and 4-byte characters, every integer at 2^53-1.
    for (const ch of ['a', '支', '😀']) {
      const fill = (bytesMax: number) => ch.repeat(Math.floor(bytesMax / utf8Length(ch)));
      const body = {
        kind: 'payment' as const,
        deviceId: new Uint8Array(16),
        nonce: new Uint8Array(16),
        expiry: 2 ** 53 - 1,
        amount: MAX_AMOUNT,
        currency: 'CNY',
        merchantId: fill(32),
        merchantName: fill(32),
        terminalId: fill(32),
        orderId: fill(Size.MAX_ORDER_ID),
        cardRef: fill(Size.MAX_CARD_REF),
        express: true,
      };
      const decoded = decodeChallengeBody(encodeChallengeBody(body));
      expect(decoded).toEqual({ ok: true, value: body });
      const token = signToken(
        {
          deviceId: body.deviceId,
          cardRef: body.cardRef,
          amount: body.amount,
          currency: body.currency,
          merchantId: body.merchantId,
          terminalId: body.terminalId,
          orderId: body.orderId,
          checkoutNonce: body.nonce,
          counter: 2 ** 53 - 1,
          time: 2 ** 53 - 1,
          flags: 15,
        },
        fixedSig,
      );
      expect(token.length).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
      const answer = encodeAnswerBody({ status: Status.OK, token, balance: MAX_AMOUNT, cardCount: 8 });
      expect(decodeAnswerBody(answer)).toMatchObject({ ok: true });
    }
  });
});
