/**
 * Sealed bodies: what only band and checkout see (docs/PROTOCOL.md §3, second part).
 * These maps have no type/version header: the HPKE info string and the export label
 * already bind them to their purpose and version.
 */
import { CborMap } from '../cbor/types.ts';
import {
  CardKind,
  type CardKindCode,
  ChallengeKind,
  Size,
  WearState,
  type WearStateCode,
} from '../protocol/constants.ts';
import { Status, type StatusCode } from '../status/codes.ts';
import { type Result, fail } from '../status/error.ts';
import { isCurrencyCode, isLast4 } from './chars.ts';
import { type Encoder, addFields, decodeProtocolMap, defaultEncoder } from './envelope.ts';
import { Fields } from './fields.ts';
import { CREDENTIAL_ID_BYTES, type IdentityChallenge, identityToCbor, readIdentity } from './identity-bodies.ts';
import { AnswerBodyKey, CardKey, ChallengeBodyKey, HelloBodyKey, ResultBodyKey } from './keys.ts';
import { type Offer, offersToCbor, readOffers } from './offers.ts';

const ID = { len: Size.ID };
const SHORT = { max: Size.MAX_SHORT_TEXT };
const MAX_AMOUNT = 1e12; // minor units; far above any real payment, keeps arithmetic exact

/**
 * `unlockNonce` is present exactly in state worn-locked: the nonce an unlock grant must answer.
 * `battery`: percent charged, when the band measures it (sealed: only its checkout learns it).
 */
export interface HelloBody {
  deviceId: Uint8Array;
  wearState: WearStateCode;
  unlockNonce?: Uint8Array;
  battery?: number;
}

export interface BankCard {
  kind: 'bank';
  cardRef: string;
  issuer: string;
  last4: string;
  isDefault: boolean;
  currency: string;
}
export interface TransitCard {
  kind: 'transit';
  cardRef: string;
  issuer: string;
  last4: string;
  city: string;
  balance: number;
  fareCap: number;
  currency: string;
}
export type Card = BankCard | TransitCard;
type CardHead = Pick<Card, 'kind' | 'cardRef' | 'issuer' | 'last4'>;

/** `expiry`: wall-clock seconds (a CWT NumericDate, RFC 8392 §2) from which the band refuses the challenge. */
interface ChallengeCommon {
  deviceId: Uint8Array;
  nonce: Uint8Array;
  expiry: number;
}
type ChallengeHead = ChallengeCommon & { kind: ChallengeBody['kind'] };
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
  /** What a card pays when a promotion changes its amount (offers.ts); absent: every card pays `amount`. */
  offers?: Offer[];
}
export interface UnlockChallenge extends ChallengeCommon {
  kind: 'unlock';
  bandNonce: Uint8Array;
  sessionMaxAgeMs: number;
  limitPerPayment: number;
  limitPerDay: number;
}
export interface ProvisionChallenge extends ChallengeCommon {
  kind: 'provision';
  card: Card;
}
export interface RemoveCardChallenge extends ChallengeCommon {
  kind: 'remove-card';
  cardRef: string;
}
export interface WipeChallenge extends ChallengeCommon {
  kind: 'wipe';
}
/** The owner is looking for the band: ring and flash the display (its answer says it did). */
export interface FindChallenge extends ChallengeCommon {
  kind: 'find';
}
/** The checkout's next keys, signed by the key the band has pinned (PROTOCOL.md §8). */
export interface KeyUpdateChallenge extends ChallengeCommon {
  kind: 'key-update';
  signingKey: Uint8Array;
  hpkeKey: Uint8Array;
  /** The new keys' number in the checkout's ring; the band refuses one not above the number it holds. */
  epoch: number;
}
export type ChallengeBody =
  | PaymentChallenge
  | UnlockChallenge
  | ProvisionChallenge
  | RemoveCardChallenge
  | WipeChallenge
  | FindChallenge
  | KeyUpdateChallenge
  | IdentityChallenge;

export interface AnswerBody {
  status: StatusCode;
  token?: Uint8Array;
  balance?: number;
  cardCount?: number;
  authData?: Uint8Array;
  signature?: Uint8Array;
  credentialId?: Uint8Array;
}
/** The checkout's verdict; the band composes its display line from it and what it just did. */
export interface ResultBody {
  status: StatusCode;
}

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
    deviceId: f.bytes(HelloBodyKey.DEVICE_ID, ID),
    wearState: f.uint(HelloBodyKey.WEAR_STATE, { max: WearState.CHARGING }) as WearStateCode,
    unlockNonce: f.bytes(HelloBodyKey.UNLOCK_NONCE, { len: Size.NONCE, optional: true }),
    battery: f.uint(HelloBodyKey.BATTERY, { max: 100, optional: true }),
  };
  // Only a worn, locked band needs a grant, so only it offers the nonce one must answer.
  if ((body.wearState === WearState.WORN_LOCKED) !== (body.unlockNonce !== undefined))
    f.refuse('unlockNonce present iff worn-locked');
  if (body.unlockNonce === undefined) delete body.unlockNonce;
  if (body.battery === undefined) delete body.battery;
  return f.done(body);
}
export function encodeHelloBody(b: HelloBody, encoder?: Encoder): Uint8Array {
  return (encoder || defaultEncoder)(
    addFields(new CborMap(), [
      [HelloBodyKey.DEVICE_ID, b.deviceId],
      [HelloBodyKey.WEAR_STATE, b.wearState],
      [HelloBodyKey.UNLOCK_NONCE, b.unlockNonce],
      [HelloBodyKey.BATTERY, b.battery],
    ]),
  );
}

/**
 * A body of one kind: its common fields (`head`, a fresh object of this one decode, kind
 * first as each kind's literal had it), then the kind's own, in their order. One loop
 * instead of the common fields spelled out in each kind's literal (bytes of image).
 */
function withOwn<T extends H, H extends object = ChallengeHead>(head: H, own: Omit<T, keyof H>): T {
  const body = head as unknown as { [k: string]: unknown };
  const o = own as { [k: string]: unknown };
  for (const k in o) body[k] = o[k];
  return head as T;
}

// ---- card ----
function readCard(f: Fields): Card {
  const kind = f.uint(CardKey.KIND, { max: 2 });
  const common: CardHead = {
    kind: kind === CardKind.TRANSIT ? 'transit' : 'bank',
    cardRef: f.text(CardKey.CARD_REF, { max: Size.MAX_CARD_REF }),
    issuer: f.text(CardKey.ISSUER, SHORT),
    last4: f.text(CardKey.LAST4, { len: 4 }),
  };
  if (!isLast4(common.last4)) f.refuse('last4 must be 4 digits');
  if (common.cardRef.length === 0) f.refuse('empty cardRef');
  if (kind === CardKind.BANK) {
    return withOwn<BankCard, CardHead>(common, {
      isDefault: f.bool(CardKey.IS_DEFAULT),
      currency: currency(f, CardKey.CURRENCY),
    });
  }
  if (kind === CardKind.TRANSIT) {
    return withOwn<TransitCard, CardHead>(common, {
      city: f.text(CardKey.CITY, SHORT),
      balance: f.uint(CardKey.BALANCE, { max: MAX_AMOUNT }),
      fareCap: f.uint(CardKey.FARE_CAP, { max: MAX_AMOUNT }),
      currency: currency(f, CardKey.CURRENCY),
    });
  }
  f.refuse('unknown card kind ' + kind);
  return { kind: 'bank', cardRef: '', issuer: '', last4: '', isDefault: false, currency: '' };
}
export function cardToCbor(c: Card): CborMap {
  const kind: CardKindCode = c.kind === 'bank' ? CardKind.BANK : CardKind.TRANSIT;
  const m = addFields(new CborMap(), [
    [CardKey.KIND, kind],
    [CardKey.CARD_REF, c.cardRef],
    [CardKey.ISSUER, c.issuer],
    [CardKey.LAST4, c.last4],
    [CardKey.CURRENCY, c.currency],
  ]);
  if (c.kind === 'bank') m.set(CardKey.IS_DEFAULT, c.isDefault);
  else
    addFields(m, [
      [CardKey.CITY, c.city],
      [CardKey.BALANCE, c.balance],
      [CardKey.FARE_CAP, c.fareCap],
    ]);
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
kindNames[ChallengeKind.KEY_UPDATE] = 'key-update';
kindNames[ChallengeKind.FIND] = 'find';
kindNames[ChallengeKind.IDENTITY_REGISTER] = 'identity-register';
kindNames[ChallengeKind.IDENTITY_ASSERT] = 'identity-assert';

export function decodeChallengeBody(bytes: Uint8Array): Result<ChallengeBody> {
  const m = decodeProtocolMap(bytes, Size.MAX_CHALLENGE_CT);
  if (!m.ok) return m;
  const f = new Fields(m.value);
  // A missing or mistyped kind is MALFORMED; a well-formed but unknown kind is UNKNOWN_COMMAND.
  const rawKind = m.value.get(ChallengeBodyKey.KIND);
  if (typeof rawKind !== 'number' || rawKind < 0)
    return fail(Status.MALFORMED, 'key 1: challenge kind missing or not an unsigned integer');
  const kind = kindNames[f.uint(ChallengeBodyKey.KIND)];
  if (kind === undefined) return fail(Status.UNKNOWN_COMMAND, 'challenge kind ' + rawKind);
  const common: ChallengeHead = {
    kind,
    deviceId: f.bytes(ChallengeBodyKey.DEVICE_ID, ID),
    nonce: f.bytes(ChallengeBodyKey.NONCE, { len: Size.NONCE }),
    expiry: f.uint(ChallengeBodyKey.EXPIRY),
  };
  switch (kind) {
    case 'payment': {
      const body = withOwn<PaymentChallenge>(common, {
        amount: f.uint(ChallengeBodyKey.AMOUNT, { max: MAX_AMOUNT }),
        currency: currency(f, ChallengeBodyKey.CURRENCY),
        merchantId: f.text(ChallengeBodyKey.MERCHANT_ID, SHORT),
        merchantName: f.text(ChallengeBodyKey.MERCHANT_NAME, SHORT),
        terminalId: f.text(ChallengeBodyKey.TERMINAL_ID, SHORT),
        orderId: f.text(ChallengeBodyKey.ORDER_ID, { max: Size.MAX_ORDER_ID }),
        cardRef: f.text(ChallengeBodyKey.CARD_REF, { max: Size.MAX_CARD_REF, optional: true }),
        express: f.bool(ChallengeBodyKey.EXPRESS, { optional: true }) === true,
      });
      body.offers = readOffers(f, ChallengeBodyKey.OFFERS, body.amount);
      if (body.offers === undefined) delete body.offers;
      // One encoding per meaning in signed data: express is present only when true.
      if (m.value.get(ChallengeBodyKey.EXPRESS) === false) f.refuse('express is omitted, not false');
      if (body.cardRef === '') f.refuse('empty cardRef');
      if (body.amount <= 0) f.refuse('amount must be positive');
      if (body.merchantId === '' || body.terminalId === '' || body.orderId === '') f.refuse('incomplete trade');
      if (body.cardRef === undefined) delete body.cardRef;
      return f.done<ChallengeBody>(body);
    }
    case 'unlock':
      return f.done<ChallengeBody>(
        withOwn<UnlockChallenge>(common, {
          bandNonce: f.bytes(ChallengeBodyKey.BAND_NONCE, { len: Size.NONCE }),
          sessionMaxAgeMs: f.uint(ChallengeBodyKey.SESSION_MAX_AGE_MS, { max: 7 * 24 * 3600 * 1000 }),
          limitPerPayment: f.uint(ChallengeBodyKey.LIMIT_PER_PAYMENT, { max: MAX_AMOUNT }),
          limitPerDay: f.uint(ChallengeBodyKey.LIMIT_PER_DAY, { max: MAX_AMOUNT }),
        }),
      );
    case 'provision': {
      const cf = new Fields(f.map(ChallengeBodyKey.CARD));
      const card = readCard(cf);
      const cardOk = cf.done(card);
      if (!cardOk.ok) return cardOk;
      return f.done<ChallengeBody>(withOwn<ProvisionChallenge>(common, { card }));
    }
    case 'remove-card': {
      const cardRef = f.text(ChallengeBodyKey.REMOVE_CARD_REF, { max: Size.MAX_CARD_REF });
      if (cardRef === '') f.refuse('empty cardRef');
      return f.done<ChallengeBody>(withOwn<RemoveCardChallenge>(common, { cardRef }));
    }
    case 'wipe':
    case 'find':
      return f.done<ChallengeBody>(common as ChallengeBody);
    case 'key-update':
      return f.done<ChallengeBody>(
        withOwn<KeyUpdateChallenge>(common, {
          signingKey: f.bytes(ChallengeBodyKey.NEW_SIGNING_KEY, { len: Size.PUBLIC_KEY }),
          hpkeKey: f.bytes(ChallengeBodyKey.NEW_HPKE_KEY, { len: Size.PUBLIC_KEY }),
          epoch: f.uint(ChallengeBodyKey.KEY_EPOCH),
        }),
      );
    case 'identity-register':
    case 'identity-assert':
      return f.done<ChallengeBody>(readIdentity(f, common as IdentityChallenge));
  }
}

export function challengeBodyToCbor(b: ChallengeBody): CborMap {
  const kindCode =
    b.kind === 'payment'
      ? ChallengeKind.PAYMENT
      : b.kind === 'unlock'
        ? ChallengeKind.UNLOCK
        : b.kind === 'provision'
          ? ChallengeKind.PROVISION_CARD
          : b.kind === 'remove-card'
            ? ChallengeKind.REMOVE_CARD
            : b.kind === 'wipe'
              ? ChallengeKind.WIPE
              : b.kind === 'find'
                ? ChallengeKind.FIND
                : b.kind === 'key-update'
                  ? ChallengeKind.KEY_UPDATE
                  : b.kind === 'identity-register'
                    ? ChallengeKind.IDENTITY_REGISTER
                    : ChallengeKind.IDENTITY_ASSERT;
  const m = addFields(new CborMap(), [
    [ChallengeBodyKey.KIND, kindCode],
    [ChallengeBodyKey.DEVICE_ID, b.deviceId],
    [ChallengeBodyKey.NONCE, b.nonce],
    [ChallengeBodyKey.EXPIRY, b.expiry],
  ]);
  switch (b.kind) {
    case 'payment':
      return addFields(m, [
        [ChallengeBodyKey.AMOUNT, b.amount],
        [ChallengeBodyKey.CURRENCY, b.currency],
        [ChallengeBodyKey.MERCHANT_ID, b.merchantId],
        [ChallengeBodyKey.MERCHANT_NAME, b.merchantName],
        [ChallengeBodyKey.TERMINAL_ID, b.terminalId],
        [ChallengeBodyKey.ORDER_ID, b.orderId],
        [ChallengeBodyKey.CARD_REF, b.cardRef],
        [ChallengeBodyKey.EXPRESS, b.express ? true : undefined],
        [ChallengeBodyKey.OFFERS, offersToCbor(b.offers)],
      ]);
    case 'unlock':
      return addFields(m, [
        [ChallengeBodyKey.BAND_NONCE, b.bandNonce],
        [ChallengeBodyKey.SESSION_MAX_AGE_MS, b.sessionMaxAgeMs],
        [ChallengeBodyKey.LIMIT_PER_PAYMENT, b.limitPerPayment],
        [ChallengeBodyKey.LIMIT_PER_DAY, b.limitPerDay],
      ]);
    case 'provision':
      return m.set(ChallengeBodyKey.CARD, cardToCbor(b.card));
    case 'remove-card':
      return m.set(ChallengeBodyKey.REMOVE_CARD_REF, b.cardRef);
    case 'wipe':
    case 'find':
      return m;
    case 'key-update':
      return addFields(m, [
        [ChallengeBodyKey.NEW_SIGNING_KEY, b.signingKey],
        [ChallengeBodyKey.NEW_HPKE_KEY, b.hpkeKey],
        [ChallengeBodyKey.KEY_EPOCH, b.epoch],
      ]);
    default:
      return identityToCbor(m, b);
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
    status: f.status(AnswerBodyKey.STATUS),
    token: f.bytes(AnswerBodyKey.TOKEN, { max: 512, optional: true }),
    balance: f.uint(AnswerBodyKey.BALANCE, { max: MAX_AMOUNT, optional: true }),
    cardCount: f.uint(AnswerBodyKey.CARD_COUNT, { max: 8, optional: true }),
    authData: f.bytes(AnswerBodyKey.AUTH_DATA, { max: 256, optional: true }),
    signature: f.bytes(AnswerBodyKey.SIGNATURE, { len: Size.SIGNATURE, optional: true }),
    credentialId: f.bytes(AnswerBodyKey.CREDENTIAL_ID, { len: CREDENTIAL_ID_BYTES, optional: true }),
  };
  if (body.token === undefined) delete body.token;
  if (body.balance === undefined) delete body.balance;
  if (body.cardCount === undefined) delete body.cardCount;
  if (body.authData === undefined) delete body.authData;
  if (body.signature === undefined) delete body.signature;
  if (body.credentialId === undefined) delete body.credentialId;
  return f.done(body);
}
export function encodeAnswerBody(b: AnswerBody, encoder?: Encoder): Uint8Array {
  return (encoder || defaultEncoder)(
    addFields(new CborMap(), [
      [AnswerBodyKey.STATUS, b.status],
      [AnswerBodyKey.TOKEN, b.token],
      [AnswerBodyKey.BALANCE, b.balance],
      [AnswerBodyKey.CARD_COUNT, b.cardCount],
      [AnswerBodyKey.AUTH_DATA, b.authData],
      [AnswerBodyKey.SIGNATURE, b.signature],
      [AnswerBodyKey.CREDENTIAL_ID, b.credentialId],
    ]),
  );
}

export function decodeResultBody(bytes: Uint8Array): Result<ResultBody> {
  const m = decodeProtocolMap(bytes, Size.MAX_RESULT);
  if (!m.ok) return m;
  const f = new Fields(m.value);
  return f.done<ResultBody>({ status: f.status(ResultBodyKey.STATUS) });
}
export function encodeResultBody(b: ResultBody, encoder?: Encoder): Uint8Array {
  return (encoder || defaultEncoder)(addFields(new CborMap(), [[ResultBodyKey.STATUS, b.status]]));
}
