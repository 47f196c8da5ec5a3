/**
 * A test double of the band, built from the shared protocol code (not the firmware): it
 * enrolls, says hello, opens challenges (checking the checkout's signature), answers them
 * and signs payment tokens. It does what the band would do, plus what a test needs to
 * misbehave on purpose (replayed counters, missing confirmation, forged flags).
 */
import { expect } from 'vitest';
import { encodeCborHost } from '../../../shared/cbor/host.ts';
import { ascii } from '../../../shared/crypto/bytes.ts';
import type { HostCryptoProvider } from '../../../shared/crypto/host-provider.ts';
import type { KeyHandle } from '../../../shared/crypto/provider.ts';
import { decodeSign1, sigStructure } from '../../../shared/cose/sign1.ts';
import { type TokenClaims, signToken } from '../../../shared/cose/token.ts';
import {
  type RecipientContext,
  openResponse,
  sealResponse,
  setupBaseR,
  setupBaseS,
} from '../../../shared/hpke/index.ts';
import {
  type AnswerBody,
  type Card,
  type ChallengeBody,
  type PaymentChallenge,
  type ResultBody,
  decodeChallengeBody,
  decodeMessageOf,
  decodeResultBody,
  encodeAnswerBody,
  encodeHelloBody,
  encodeMessage,
} from '../../../shared/messages/index.ts';
import { Label, TokenFlag, WearState, type WearStateCode } from '../../../shared/protocol/constants.ts';
import { Status } from '../../../shared/status/codes.ts';
import { deviceIdOf } from '../../../checkout/core/band-identity.ts';

export interface Opened {
  body: ChallengeBody;
  ctx: RecipientContext;
  enc: Uint8Array;
}

export interface PayOptions {
  express?: boolean;
  /** Press the button (sets the confirmed flag). */
  confirmed?: boolean;
  /** Force a counter value instead of the next one. */
  counter?: number;
  /** Override claims (to forge a mismatch). */
  claims?: Partial<TokenClaims>;
}

export class BandDouble {
  wearState: WearStateCode = WearState.WORN_LOCKED;
  unlockNonce: Uint8Array;
  private checkoutSigningKey: Uint8Array | null = null;
  private checkoutHpkeKey: Uint8Array | null = null;
  private readonly counters = new Map<string, number>();
  /** The cards provisioned to this double, in order (as the band's wallet keeps them). */
  private readonly cards: Card[] = [];

  private constructor(
    readonly provider: HostCryptoProvider,
    readonly signing: KeyHandle,
    readonly hpke: KeyHandle,
  ) {
    this.unlockNonce = provider.randomBytes(16);
  }

  static create(provider: HostCryptoProvider): BandDouble {
    return new BandDouble(provider, provider.p256Generate(), provider.p256Generate());
  }

  get signingPublic(): Uint8Array {
    return this.provider.p256PublicKey(this.signing);
  }
  get hpkePublic(): Uint8Array {
    return this.provider.p256PublicKey(this.hpke);
  }
  get deviceIdBytes(): Uint8Array {
    return this.provider.sha256(this.signingPublic).slice(0, 16);
  }
  get deviceId(): string {
    return deviceIdOf(this.provider, this.signingPublic);
  }

  /** ENROLL in, ENROLLED out; pins the checkout's keys as the band does. */
  enroll(enrollMessage: Uint8Array): Uint8Array {
    const m = decodeMessageOf(enrollMessage, 'enroll');
    if (!m.ok) throw new Error('not an ENROLL: ' + m.detail);
    this.checkoutSigningKey = m.value.checkoutSigningKey;
    this.checkoutHpkeKey = m.value.checkoutHpkeKey;
    const signed = encodeCborHost([
      Label.ENROLL,
      m.value.nonce,
      m.value.checkoutSigningKey,
      m.value.checkoutHpkeKey,
      this.signingPublic,
      this.hpkePublic,
    ]);
    const signature = this.provider.p256Sign(this.signing, signed);
    return encodeMessage(
      { type: 'enrolled', signingKey: this.signingPublic, hpkeKey: this.hpkePublic, signature },
      encodeCborHost,
    );
  }

  hello(): Uint8Array {
    if (!this.checkoutHpkeKey) throw new Error('not enrolled');
    // As the band: the unlock nonce only while worn and locked.
    const locked = this.wearState === WearState.WORN_LOCKED;
    const body = encodeHelloBody(
      { deviceId: this.deviceIdBytes, wearState: this.wearState, unlockNonce: locked ? this.unlockNonce : undefined },
      encodeCborHost,
    );
    const s = setupBaseS(this.provider, this.checkoutHpkeKey, ascii(Label.HELLO));
    if (!s.ok) throw new Error('hpke setup failed');
    return encodeMessage(
      { type: 'hello', enc: s.value.enc, ct: s.value.ctx.seal(new Uint8Array(0), body) },
      encodeCborHost,
    );
  }

  /** Opens a CHALLENGE and checks the checkout's signature over it, as the band would. */
  open(challengeMessage: Uint8Array): Opened {
    const m = decodeMessageOf(challengeMessage, 'challenge');
    if (!m.ok) throw new Error('not a CHALLENGE: ' + m.detail);
    const r = setupBaseR(this.provider, m.value.enc, this.hpke, ascii(Label.CHALLENGE));
    if (!r.ok) throw new Error('hpke setup failed');
    const plain = r.value.open(new Uint8Array(0), m.value.ct);
    if (!plain.ok) throw new Error('challenge does not open');
    const sign1 = decodeSign1(plain.value, true);
    if (!sign1.ok) throw new Error('challenge is not a COSE_Sign1');
    const tbs = sigStructure(sign1.value.protectedBytes, new Uint8Array(0), sign1.value.payload);
    expect(this.provider.p256Verify(this.checkoutSigningKey as Uint8Array, tbs, sign1.value.signature)).toBe(true);
    const body = decodeChallengeBody(sign1.value.payload);
    if (!body.ok) throw new Error('challenge body: ' + body.detail);
    expect(body.value.deviceId).toEqual(this.deviceIdBytes);
    if (body.value.kind === 'unlock') this.wearState = WearState.WORN_UNLOCKED;
    if (body.value.kind === 'provision') this.keepCard(body.value.card);
    if (body.value.kind === 'remove-card') this.dropCard(body.value.cardRef);
    // A key update, verified above with the key pinned so far: pin the new keys (PROTOCOL.md §8).
    if (body.value.kind === 'key-update') {
      this.checkoutSigningKey = body.value.signingKey;
      this.checkoutHpkeKey = body.value.hpkeKey;
    }
    return { body: body.value, ctx: r.value, enc: m.value.enc };
  }

  answer(opened: Opened, body: AnswerBody): Uint8Array {
    const sealed = sealResponse(
      this.provider,
      opened.ctx,
      opened.enc,
      encodeAnswerBody(body, encodeCborHost),
      ascii(Label.ANSWER),
    );
    return encodeMessage({ type: 'answer', sealed }, encodeCborHost);
  }

  answerOk(opened: Opened): Uint8Array {
    return this.answer(opened, {
      status: Status.OK,
      cardCount: opened.body.kind === 'provision' || opened.body.kind === 'remove-card' ? 1 : undefined,
    });
  }

  /** Signs a payment token for a PAYMENT challenge and seals the answer. */
  pay(opened: Opened, opts: PayOptions = {}): Uint8Array {
    const c = opened.body as PaymentChallenge;
    if (c.kind !== 'payment') throw new Error('not a payment challenge');
    // No cardRef: the default bank card, as the band picks it (the default, else the first).
    const cardRef = c.cardRef ?? this.defaultBankCardRef();
    const counter = opts.counter ?? (this.counters.get(cardRef) ?? 0) + 1;
    this.counters.set(cardRef, Math.max(counter, this.counters.get(cardRef) ?? 0));
    let flags = TokenFlag.WORN;
    if (this.wearState === WearState.WORN_UNLOCKED) flags |= TokenFlag.UNLOCKED;
    if (opts.confirmed) flags |= TokenFlag.CONFIRMED;
    if (c.express) flags |= TokenFlag.EXPRESS;
    const claims: TokenClaims = {
      deviceId: this.deviceIdBytes,
      cardRef,
      // As the band: the offer for the card that pays, else the list amount (firmware/core/offers.ts).
      amount: c.offers?.find((o) => o.cardRef === cardRef)?.amount ?? c.amount,
      currency: c.currency,
      merchantId: c.merchantId,
      terminalId: c.terminalId,
      orderId: c.orderId,
      checkoutNonce: c.nonce,
      counter,
      time: Math.floor(Date.now() / 1000),
      flags,
      ...opts.claims,
    };
    const token = signToken(claims, (tbs) => this.provider.p256Sign(this.signing, tbs), encodeCborHost);
    return this.answer(opened, { status: Status.OK, token, balance: c.express ? 1000 : undefined });
  }

  private keepCard(card: Card): void {
    this.dropCard(card.cardRef);
    if (card.kind === 'bank' && card.isDefault) for (const c of this.cards) if (c.kind === 'bank') c.isDefault = false;
    this.cards.push(card);
  }

  private dropCard(cardRef: string): void {
    const i = this.cards.findIndex((c) => c.cardRef === cardRef);
    if (i >= 0) this.cards.splice(i, 1);
  }

  private defaultBankCardRef(): string {
    const bank = this.cards.filter((c) => c.kind === 'bank');
    const card = bank.find((c) => c.kind === 'bank' && c.isDefault) ?? bank[0];
    if (!card) throw new Error('a payment for the default card, but the double holds no bank card');
    return card.cardRef;
  }

  readResult(opened: Opened, resultMessage: Uint8Array): ResultBody {
    const m = decodeMessageOf(resultMessage, 'result');
    if (!m.ok) throw new Error('not a RESULT');
    const plain = openResponse(this.provider, opened.ctx, opened.enc, m.value.sealed, ascii(Label.RESULT));
    if (!plain.ok) throw new Error('result does not open');
    const r = decodeResultBody(plain.value);
    if (!r.ok) throw new Error('result body: ' + r.detail);
    return r.value;
  }
}
