/**
 * The firmware's whole story as one script, for the image in any engine: enroll → bank
 * and transit cards → wear → unlock → pay under the limit → pay over the limit (keep-alives,
 * button) → express transit → take the band off → refused NOT_WORN → wipe → not enrolled.
 * Plus `payMany`, the steady payment loop the heap test and the benchmark share.
 *
 * Pure protocol code: it runs on the host against the image in QuickJS
 * (test/engines/quickjs-scenario.test.ts) and is bundled to ES5 and run inside `duk`
 * (test/engines/duktape-scenario.test.ts) and every engine of `npm run engines`, so its
 * checks throw plain Errors (no vitest) and it returns a JSON-able report that the tests
 * assert on again.
 */
import type { BandStatus } from '../../firmware/boot.ts';
import { decodeSign1 } from '../../shared/cose/sign1.ts';
import { decodeClaims, type TokenClaims } from '../../shared/cose/token.ts';
import { verifyToken, type ExpectedTrade } from '../../shared/cose/token-verify.ts';
import { decodeCbor } from '../../shared/cbor/decode.ts';
import { CborMap } from '../../shared/cbor/types.ts';
import { concat, toHex } from '../../shared/crypto/bytes.ts';
import type { CryptoProvider } from '../../shared/crypto/provider.ts';
import type { AnswerBody, PaymentChallenge } from '../../shared/messages/bodies.ts';
import { TokenFlag } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import { bankCard, type BandFlows, type BandPort, type Limits, transitCard } from './band-flows.ts';
import type { CheckoutCore } from './checkout-core.ts';

/** A band the story can wear, take off, wait on and press. */
export interface StoryPort extends BandPort {
  putOn(): void;
  /** Sensor off, then past the 1.5 s removal debounce. */
  takeOff(): void;
  advance(ms: number): void;
  press(): void;
  status(): BandStatus;
}

export type StoryFlows = BandFlows<StoryPort, CheckoutCore>;

export interface PaidReport {
  status: number;
  counter: number;
  flags: number;
  /** verifyToken's verdict (real ES256 in QuickJS; the stand-in signatures in Duktape). */
  verified: boolean;
  balance?: number;
}

export interface StoryReport {
  deviceId: string;
  cardCounts: number[];
  stateAfterPutOn: string;
  stateAfterUnlock: string;
  small: PaidReport;
  large: PaidReport & { answeredBeforePress: boolean; awaitingConfirmation: boolean; keepalives: number };
  transit: PaidReport;
  identity: { flags: number[]; counter: number; verified: boolean };
  stateAfterRemoval: string;
  refusedWhenOff: number;
  wipe: { status: number; enrolled: boolean; cards: number; challengeAfterWipe: number };
}

export function check(cond: unknown, what: string): void {
  if (!cond) throw new Error('story check failed: ' + what);
}

export function claimsOf(token: Uint8Array): TokenClaims {
  const s = decodeSign1(token, true);
  if (!s.ok) throw new Error('token does not parse: ' + s.status);
  const c = decodeClaims(s.value.payload);
  if (!c.ok) throw new Error('claims do not parse: ' + c.status);
  return c.value;
}

/** Verifies the answer's token against the challenge (verifyToken) and reports its claims. */
export function paid(
  f: StoryFlows,
  verifier: CryptoProvider,
  ch: PaymentChallenge,
  a: AnswerBody,
  extra: Partial<ExpectedTrade> = {},
): PaidReport {
  check(a.status === Status.OK, ch.orderId + ': status 0x' + a.status.toString(16));
  check(a.token instanceof Uint8Array, ch.orderId + ': a token');
  const expected: ExpectedTrade = {
    deviceId: f.identity.deviceId,
    amount: ch.amount,
    currency: ch.currency,
    merchantId: ch.merchantId,
    terminalId: ch.terminalId,
    orderId: ch.orderId,
    checkoutNonce: ch.nonce,
    cardRef: ch.cardRef !== undefined ? ch.cardRef : bankCard.cardRef,
    requireConfirmed: extra.requireConfirmed,
    express: extra.express,
    lastCounter: extra.lastCounter,
  };
  const verdict = verifyToken(verifier, a.token as Uint8Array, f.identity.signingKey, expected);
  check(verdict.verified, ch.orderId + ': token verifies: ' + JSON.stringify(verdict));
  const claims = claimsOf(a.token as Uint8Array);
  return {
    status: a.status,
    counter: claims.counter,
    flags: claims.flags,
    verified: verdict.verified,
    balance: a.balance,
  };
}

/** The story's steps in order, as runStory reports each one passed (an engine run counts them). */
export const STORY_STEPS = [
  'enroll',
  'two cards',
  'wear and unlock',
  'pay under the limit',
  'pay over the limit after the button',
  'express transit',
  'identity key: register and assert after the button',
  'take off: NOT_WORN',
  'wipe: NOT_ENROLLED',
] as const;

/**
 * Runs the whole story on a fresh (not enrolled) band; throws at the first broken step.
 * `passed(i)` hears each step of STORY_STEPS that passed, so a run that breaks says how far it got.
 */
export function runStory(
  f: StoryFlows,
  verifier: CryptoProvider,
  passed: (step: number) => void = () => {},
): StoryReport {
  const band = f.port;
  f.enroll();
  const deviceId = toHex(f.identity.deviceId);
  check(band.status().enrolled && band.status().deviceId === deviceId, 'enrolled as ' + deviceId);
  passed(0);
  const cardCounts = [f.provision(bankCard), f.provision(transitCard)].map((a) => {
    check(a.status === Status.OK, 'provision: 0x' + a.status.toString(16));
    return a.cardCount as number;
  });
  check(cardCounts[0] === 1 && cardCounts[1] === 2, 'card counts ' + cardCounts.join(','));
  passed(1);

  band.putOn();
  const stateAfterPutOn = band.status().state;
  check(stateAfterPutOn === 'worn-locked', 'worn-locked after put-on: ' + stateAfterPutOn);
  check(f.unlock().status === Status.OK, 'unlock');
  const stateAfterUnlock = band.status().state;
  check(stateAfterUnlock === 'worn-unlocked', 'worn-unlocked: ' + stateAfterUnlock);
  passed(2);

  const smallCh = f.payment(1234);
  const small = paid(f, verifier, smallCh, f.exchange(smallCh), { lastCounter: 0 });
  check(
    small.counter === 1 && small.flags === (TokenFlag.WORN | TokenFlag.UNLOCKED),
    'small payment claims ' + JSON.stringify(small),
  );
  band.send(f.checkout.result(f.lastChallenge as NonNullable<typeof f.lastChallenge>, Status.OK));
  passed(3);

  const largeCh = f.payment(25000);
  const c = f.sendChallenge(largeCh);
  const answeredBeforePress = band.received().some((r) => r.message.type === 'answer');
  check(!answeredBeforePress, 'no answer before the button');
  const awaitingConfirmation = band.status().awaitingConfirmation;
  check(awaitingConfirmation, 'awaiting confirmation');
  band.advance(1600);
  const keepaliveFrames = band.received().filter((r) => r.message.type === 'keepalive');
  check(keepaliveFrames.length >= 3, 'at least 3 keep-alives in 1.6 s, got ' + keepaliveFrames.length);
  for (let i = 0; i < keepaliveFrames.length; i++) {
    const m = keepaliveFrames[i].message;
    check(m.type === 'keepalive' && m.status === Status.CONFIRMATION_REQUIRED, 'keep-alive says CONFIRMATION_REQUIRED');
  }
  band.press();
  const largePaid = paid(f, verifier, largeCh, f.checkout.openAnswer(c, band.expect('answer')), {
    lastCounter: small.counter,
    requireConfirmed: true,
  });
  check(
    (largePaid.flags & TokenFlag.CONFIRMED) !== 0 && largePaid.counter === 2,
    'large payment claims ' + JSON.stringify(largePaid),
  );
  const large = { ...largePaid, answeredBeforePress, awaitingConfirmation, keepalives: keepaliveFrames.length };
  passed(4);

  const transitCh = f.payment(300, { express: true, cardRef: transitCard.cardRef });
  const transit = paid(f, verifier, transitCh, f.exchange(transitCh), { express: true, lastCounter: 0 });
  check(
    (transit.flags & TokenFlag.EXPRESS) !== 0 && transit.balance === 4700,
    'transit claims ' + JSON.stringify(transit),
  );
  passed(5);

  const identity = identityKey(f, verifier);
  passed(6);

  band.takeOff();
  const stateAfterRemoval = band.status().state;
  check(stateAfterRemoval === 'off-wrist', 'off-wrist after removal: ' + stateAfterRemoval);
  const refusedWhenOff = f.pay(100).status;
  check(refusedWhenOff === Status.NOT_WORN, 'refused NOT_WORN: 0x' + refusedWhenOff.toString(16));
  passed(7);

  const wiped = f.exchange({ kind: 'wipe', ...f.common() });
  check(wiped.status === Status.OK, 'wipe: 0x' + wiped.status.toString(16));
  const after = band.status();
  check(
    !after.enrolled && after.cards.length === 0 && after.deviceId === null,
    'not enrolled after wipe: ' + JSON.stringify(after),
  );
  band.send(f.checkout.challenge(f.identity, f.payment(100)).message);
  const challengeAfterWipe = band.expect('error').status;
  check(challengeAfterWipe === Status.NOT_ENROLLED, 'NOT_ENROLLED after wipe');
  passed(8);
  return {
    deviceId,
    cardCounts,
    stateAfterPutOn,
    stateAfterUnlock,
    small,
    large,
    transit,
    identity,
    stateAfterRemoval,
    refusedWhenOff,
    wipe: { status: wiped.status, enrolled: after.enrolled, cards: after.cards.length, challengeAfterWipe },
  };
}

/**
 * The band as a WebAuthn authenticator (firmware/core/identity.ts): a credential for an RP after
 * the button, then an assertion after the button whose ES256 signature over authData ‖
 * clientDataHash verifies with the key from the registration's COSE_Key.
 */
function identityKey(f: StoryFlows, verifier: CryptoProvider): StoryReport['identity'] {
  const band = f.port;
  const body = { rpId: 'shop.example', clientDataHash: verifier.sha256(new Uint8Array([1, 2, 3])) };
  const reg = f.sendChallenge({ kind: 'identity-register', ...f.common(), ...body });
  band.press();
  const made = f.checkout.openAnswer(reg, band.expect('answer'));
  check(made.status === Status.OK && made.authData instanceof Uint8Array, 'register: 0x' + made.status.toString(16));
  const authData = made.authData as Uint8Array;
  // rpIdHash 32, flags 1, counter 4, AAGUID 16, id length 2, id 16: the COSE_Key from byte 71.
  const key = decodeCbor(authData.subarray(71), { strict: true, maxDepth: 2, maxBytes: 128 });
  check(key.ok && key.value instanceof CborMap, 'a COSE_Key');
  const map = (key.ok ? key.value : new CborMap()) as CborMap;
  const pub = concat(new Uint8Array([4]), map.get(-2) as Uint8Array, map.get(-3) as Uint8Array);
  const as = f.sendChallenge({ kind: 'identity-assert', ...f.common(), ...body });
  band.press();
  const signed = f.checkout.openAnswer(as, band.expect('answer'));
  check(
    signed.status === Status.OK && signed.signature instanceof Uint8Array,
    'assert: 0x' + signed.status.toString(16),
  );
  const assertion = signed.authData as Uint8Array;
  const verified = verifier.p256Verify(pub, concat(assertion, body.clientDataHash), signed.signature as Uint8Array);
  check(verified, 'the assertion verifies with the registered key');
  const counter = assertion[33] * 0x1000000 + assertion[34] * 0x10000 + assertion[35] * 0x100 + assertion[36];
  check(counter === 1, 'counter 1: ' + counter);
  return { flags: [authData[32], assertion[32]], counter, verified };
}

/** Limits high enough that no payment of payMany needs the button. */
export const NO_BUTTON_LIMITS: Limits = { perPayment: 1e9, perDay: 1e12 };

/** Enroll, add both cards, put on, unlock with `limits`. */
export function setUp(f: StoryFlows, limits: Limits = NO_BUTTON_LIMITS): void {
  f.enroll();
  check(f.provision(bankCard).status === Status.OK && f.provision(transitCard).status === Status.OK, 'cards');
  f.port.putOn();
  check(f.unlock(limits).status === Status.OK, 'unlock');
}

export interface PayManyOptions {
  amount?: number;
  /** Wraps the guest call of each payment (the challenge's radio writes: the band opens, checks, commits, signs and answers). */
  aroundSend?: (send: () => void) => void;
  /** Virtual ms between payments (default 0: back to back). */
  gapMs?: number;
}

/** `n` password-free bank payments, each answered OK with a token. */
export function payMany(f: StoryFlows, n: number, opts: PayManyOptions = {}): void {
  for (let i = 0; i < n; i++) {
    const c = f.checkout.challenge(f.identity, f.payment(opts.amount !== undefined ? opts.amount : 100));
    f.lastChallenge = c;
    const send = () => f.port.send(c.message);
    if (opts.aroundSend) opts.aroundSend(send);
    else send();
    const a = f.checkout.openAnswer(c, f.port.expect('answer'));
    check(
      a.status === Status.OK && a.token instanceof Uint8Array,
      'payment ' + i + ': status 0x' + a.status.toString(16),
    );
    if (opts.gapMs) f.port.advance(opts.gapMs);
  }
}
