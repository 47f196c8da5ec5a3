/**
 * Sealed bodies: what only band and checkout see (docs/PROTOCOL.md §3, second part).
 * These maps have no type/version header: the HPKE info string and the export label
 * already bind them to their purpose and version.
 */
import { CborMap } from '../cbor/types.ts';
import { CardKind, type CardKindCode, ChallengeKind, Size, WearState, type WearStateCode } from '../protocol/constants.ts';
import { Status, type StatusCode } from '../status/codes.ts';
import { type Result, fail } from '../status/error.ts';
import { isCurrencyCode, isLast4 } from './chars.ts';
import { type Encoder, addFields, decodeProtocolMap, defaultEncoder } from './envelope.ts';
import { Fields } from './fields.ts';

const ID = { len: Size.ID };
const SHORT = { max: Size.MAX_SHORT_TEXT };
const MAX_AMOUNT = 1e12; // minor units; far above any real payment, keeps arithmetic exact

/** `unlockNonce` is present exactly in state worn-locked: the nonce an unlock grant must answer. */
export interface HelloBody { deviceId: Uint8Array; wearState: WearStateCode; unlockNonce?: Uint8Array }

export interface BankCard { kind: 'bank'; cardRef: string; issuer: string; last4: string; isDefault: boolean; currency: string }
export interface TransitCard { kind: 'transit'; cardRef: string; issuer: string; last4: string; city: string; balance: number; fareCap: number; currency: string }
export type Card = BankCard | TransitCard;

/** `expiry`: wall-clock seconds (a CWT NumericDate, RFC 8392 §2) from which the band refuses the challenge. */
interface ChallengeCommon { deviceId: Uint8Array; nonce: Uint8Array; expiry: number }
export interface PaymentChallenge extends ChallengeCommon {
  kind: 'payment';
  amount: number;
  currency: string;
  merchantId: string;
  merchantName: string;
  terminalId: string;
  orderId: string;
  cardRef?: string;
  express: boolean;
}
export interface UnlockChallenge extends ChallengeCommon {
  kind: 'unlock';
  bandNonce: Uint8Array;
  sessionMaxAgeMs: number;
  limitPerPayment: number;
  limitPerDay: number;
}
export interface ProvisionChallenge extends ChallengeCommon { kind: 'provision'; card: Card }
export interface RemoveCardChallenge extends ChallengeCommon { kind: 'remove-card'; cardRef: string }
export interface WipeChallenge extends ChallengeCommon { kind: 'wipe' }
export type ChallengeBody = PaymentChallenge | UnlockChallenge | ProvisionChallenge | RemoveCardChallenge | WipeChallenge;

export interface AnswerBody { status: StatusCode; token?: Uint8Array; balance?: number; cardCount?: number }
/** The checkout's verdict; the band composes its display line from it and what it just did. */
export interface ResultBody { status: StatusCode }

function currency(f: Fields, key: number): string {
  const c = f.text(key, { len: 3 });
  if (!isCurrencyCode(c)) f.refuse('key ' + key + ': not an ISO 4217 code');
  return c;
}

// ---- hello ----
export function decodeHelloBody(bytes: Uint8Array): Result<HelloBody> {
  const m = decodeProtocolMap(bytes, Size.MAX_HELLO_CT);
  if (!m.ok) return m;
  const f = new Fields(m.value);
  const body: HelloBody = {
    deviceId: f.bytes(1, ID),
    wearState: f.uint(2, { max: WearState.CHARGING }) as WearStateCode,
    unlockNonce: f.bytes(3, { len: Size.NONCE, optional: true }),
  };
  // Only a worn, locked band needs a grant, so only it offers the nonce one must answer.
  if ((body.wearState === WearState.WORN_LOCKED) !== (body.unlockNonce !== undefined)) f.refuse('unlockNonce present iff worn-locked');
  if (body.unlockNonce === undefined) delete body.unlockNonce;
  return f.done(body);
}
export function encodeHelloBody(b: HelloBody, encoder?: Encoder): Uint8Array {
  return (encoder || defaultEncoder)(addFields(new CborMap(), [[1, b.deviceId], [2, b.wearState], [3, b.unlockNonce]]));
}

// ---- card ----
function readCard(f: Fields): Card {
  const kind = f.uint(1, { max: 2 });
  const common = {
    cardRef: f.text(2, { max: Size.MAX_CARD_REF }),
    issuer: f.text(3, SHORT),
    last4: f.text(4, { len: 4 }),
  };
  if (!isLast4(common.last4)) f.refuse('last4 must be 4 digits');
  if (common.cardRef.length === 0) f.refuse('empty cardRef');
  if (kind === CardKind.BANK) {
    return { kind: 'bank', cardRef: common.cardRef, issuer: common.issuer, last4: common.last4, isDefault: f.bool(5), currency: currency(f, 9) };
  }
  if (kind === CardKind.TRANSIT) {
    return {
      kind: 'transit', cardRef: common.cardRef, issuer: common.issuer, last4: common.last4,
      city: f.text(6, SHORT), balance: f.uint(7, { max: MAX_AMOUNT }), fareCap: f.uint(8, { max: MAX_AMOUNT }), currency: currency(f, 9),
    };
  }
  f.refuse('unknown card kind ' + kind);
  return { kind: 'bank', cardRef: '', issuer: '', last4: '', isDefault: false, currency: '' };
}
export function cardToCbor(c: Card): CborMap {
  const kind: CardKindCode = c.kind === 'bank' ? CardKind.BANK : CardKind.TRANSIT;
  const m = addFields(new CborMap(), [[1, kind], [2, c.cardRef], [3, c.issuer], [4, c.last4], [9, c.currency]]);
  if (c.kind === 'bank') m.set(5, c.isDefault);
  else addFields(m, [[6, c.city], [7, c.balance], [8, c.fareCap]]);
  return m;
}
export function decodeCardMap(map: CborMap): Result<Card> {
  const f = new Fields(map);
  const card = readCard(f);
  return f.done(card);
}

// ---- challenge ----
const kindNames: { [k: number]: ChallengeBody['kind'] } = {};
kindNames[ChallengeKind.PAYMENT] = 'payment';
kindNames[ChallengeKind.UNLOCK] = 'unlock';
kindNames[ChallengeKind.PROVISION_CARD] = 'provision';
kindNames[ChallengeKind.REMOVE_CARD] = 'remove-card';
kindNames[ChallengeKind.WIPE] = 'wipe';

export function decodeChallengeBody(bytes: Uint8Array): Result<ChallengeBody> {
  const m = decodeProtocolMap(bytes, Size.MAX_CHALLENGE_CT);
  if (!m.ok) return m;
  const f = new Fields(m.value);
  // A missing or mistyped kind is MALFORMED; a well-formed but unknown kind is UNKNOWN_COMMAND.
  const rawKind = m.value.get(1);
  if (typeof rawKind !== 'number' || rawKind < 0) return fail(Status.MALFORMED, 'key 1: challenge kind missing or not an unsigned integer');
  const kind = kindNames[f.uint(1)];
  if (kind === undefined) return fail(Status.UNKNOWN_COMMAND, 'challenge kind ' + rawKind);
  const common: ChallengeCommon = { deviceId: f.bytes(2, ID), nonce: f.bytes(3, { len: Size.NONCE }), expiry: f.uint(4) };
  switch (kind) {
    case 'payment': {
      const body: PaymentChallenge = {
        kind, deviceId: common.deviceId, nonce: common.nonce, expiry: common.expiry,
        amount: f.uint(10, { max: MAX_AMOUNT }),
        currency: currency(f, 11),
        merchantId: f.text(12, SHORT),
        merchantName: f.text(13, SHORT),
        terminalId: f.text(14, SHORT),
        orderId: f.text(15, { max: Size.MAX_ORDER_ID }),
        cardRef: f.text(16, { max: Size.MAX_CARD_REF, optional: true }),
        express: f.bool(17, { optional: true }) === true,
      };
      // One encoding per meaning in signed data: express is present only when true.
      if (m.value.get(17) === false) f.refuse('express is omitted, not false');
      if (body.cardRef === '') f.refuse('empty cardRef');
      if (body.amount <= 0) f.refuse('amount must be positive');
      if (body.merchantId === '' || body.terminalId === '' || body.orderId === '') f.refuse('incomplete trade');
      if (body.cardRef === undefined) delete body.cardRef;
      return f.done<ChallengeBody>(body);
    }
    case 'unlock':
      return f.done<ChallengeBody>({
        kind, deviceId: common.deviceId, nonce: common.nonce, expiry: common.expiry,
        bandNonce: f.bytes(20, { len: Size.NONCE }),
        sessionMaxAgeMs: f.uint(21, { max: 7 * 24 * 3600 * 1000 }),
        limitPerPayment: f.uint(22, { max: MAX_AMOUNT }),
        limitPerDay: f.uint(23, { max: MAX_AMOUNT }),
      });
    case 'provision': {
      const cf = new Fields(f.map(30));
      const card = readCard(cf);
      const cardOk = cf.done(card);
      if (!cardOk.ok) return cardOk;
      return f.done<ChallengeBody>({ kind, deviceId: common.deviceId, nonce: common.nonce, expiry: common.expiry, card });
    }
    case 'remove-card': {
      const cardRef = f.text(31, { max: Size.MAX_CARD_REF });
      if (cardRef === '') f.refuse('empty cardRef');
      return f.done<ChallengeBody>({ kind, deviceId: common.deviceId, nonce: common.nonce, expiry: common.expiry, cardRef });
    }
    case 'wipe':
      return f.done<ChallengeBody>({ kind, deviceId: common.deviceId, nonce: common.nonce, expiry: common.expiry });
  }
}

export function challengeBodyToCbor(b: ChallengeBody): CborMap {
  const kindCode = b.kind === 'payment' ? ChallengeKind.PAYMENT : b.kind === 'unlock' ? ChallengeKind.UNLOCK
    : b.kind === 'provision' ? ChallengeKind.PROVISION_CARD : b.kind === 'remove-card' ? ChallengeKind.REMOVE_CARD : ChallengeKind.WIPE;
  const m = addFields(new CborMap(), [[1, kindCode], [2, b.deviceId], [3, b.nonce], [4, b.expiry]]);
  switch (b.kind) {
    case 'payment':
      return addFields(m, [[10, b.amount], [11, b.currency], [12, b.merchantId], [13, b.merchantName], [14, b.terminalId], [15, b.orderId], [16, b.cardRef], [17, b.express ? true : undefined]]);
    case 'unlock':
      return addFields(m, [[20, b.bandNonce], [21, b.sessionMaxAgeMs], [22, b.limitPerPayment], [23, b.limitPerDay]]);
    case 'provision':
      return m.set(30, cardToCbor(b.card));
    case 'remove-card':
      return m.set(31, b.cardRef);
    case 'wipe':
      return m;
  }
}
export function encodeChallengeBody(b: ChallengeBody, encoder?: Encoder): Uint8Array {
  return (encoder || defaultEncoder)(challengeBodyToCbor(b));
}

// ---- answer and result ----
export function decodeAnswerBody(bytes: Uint8Array): Result<AnswerBody> {
  const m = decodeProtocolMap(bytes, Size.MAX_ANSWER);
  if (!m.ok) return m;
  const f = new Fields(m.value);
  const body: AnswerBody = {
    status: f.status(1),
    token: f.bytes(2, { max: 512, optional: true }),
    balance: f.uint(3, { max: MAX_AMOUNT, optional: true }),
    cardCount: f.uint(4, { max: 8, optional: true }),
  };
  if (body.token === undefined) delete body.token;
  if (body.balance === undefined) delete body.balance;
  if (body.cardCount === undefined) delete body.cardCount;
  return f.done(body);
}
export function encodeAnswerBody(b: AnswerBody, encoder?: Encoder): Uint8Array {
  return (encoder || defaultEncoder)(addFields(new CborMap(), [[1, b.status], [2, b.token], [3, b.balance], [4, b.cardCount]]));
}

export function decodeResultBody(bytes: Uint8Array): Result<ResultBody> {
  const m = decodeProtocolMap(bytes, Size.MAX_RESULT);
  if (!m.ok) return m;
  const f = new Fields(m.value);
  return f.done<ResultBody>({ status: f.status(1) });
}
export function encodeResultBody(b: ResultBody, encoder?: Encoder): Uint8Array {
  return (encoder || defaultEncoder)(addFields(new CborMap(), [[1, b.status]]));
}
