/**
 * The band's side of a payment for the checkout benchmarks, built from the shared protocol
 * code with the host provider (not the firmware, and not timed): enroll, hello, open a
 * challenge (checking the checkout's signature), answer, sign payment tokens. It mirrors
 * test/checkout/helpers/band-double.ts without vitest, so `npm run bench` needs no test code.
 */
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { ascii } from '../../shared/crypto/bytes.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import type { KeyHandle } from '../../shared/crypto/provider.ts';
import { decodeSign1, sigStructure } from '../../shared/cose/sign1.ts';
import { signToken } from '../../shared/cose/token.ts';
import { type RecipientContext, sealResponse, setupBaseR, setupBaseS } from '../../shared/hpke/index.ts';
import {
  type ChallengeBody,
  decodeChallengeBody,
  decodeMessageOf,
  encodeAnswerBody,
  encodeHelloBody,
  encodeMessage,
} from '../../shared/messages/index.ts';
import { Label, TokenFlag, WearState } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';

const EMPTY = new Uint8Array(0);

export interface OpenedChallenge {
  body: ChallengeBody;
  ctx: RecipientContext;
  enc: Uint8Array;
}

export class BenchBand {
  private checkoutSigningKey: Uint8Array | null = null;
  private checkoutHpkeKey: Uint8Array | null = null;
  private counter = 0;
  readonly signing: KeyHandle;
  readonly hpke: KeyHandle;
  readonly deviceIdBytes: Uint8Array;
  private readonly unlockNonce: Uint8Array;
  private unlocked = false;
  /** The bank card provisioned last: what a payment challenge naming no card pays with. */
  private cardRef: string | null = null;

  constructor(readonly provider: HostCryptoProvider) {
    this.signing = provider.p256Generate();
    this.hpke = provider.p256Generate();
    this.deviceIdBytes = provider.sha256(provider.p256PublicKey(this.signing)).slice(0, 16);
    this.unlockNonce = provider.randomBytes(16);
  }

  enroll(enrollMessage: Uint8Array): Uint8Array {
    const m = decodeMessageOf(enrollMessage, 'enroll');
    if (!m.ok) throw new Error('bench band: not an ENROLL');
    this.checkoutSigningKey = m.value.checkoutSigningKey;
    this.checkoutHpkeKey = m.value.checkoutHpkeKey;
    const p = this.provider;
    const signingKey = p.p256PublicKey(this.signing);
    const hpkeKey = p.p256PublicKey(this.hpke);
    const signed = encodeCborHost([
      Label.ENROLL,
      m.value.nonce,
      m.value.checkoutSigningKey,
      m.value.checkoutHpkeKey,
      signingKey,
      hpkeKey,
    ]);
    return encodeMessage(
      { type: 'enrolled', signingKey, hpkeKey, signature: p.p256Sign(this.signing, signed) },
      encodeCborHost,
    );
  }

  /** A hello while worn: locked with its unlock nonce, or unlocked without (the checkout checks wear state from it). */
  hello(): Uint8Array {
    if (!this.checkoutHpkeKey) throw new Error('bench band: not enrolled');
    const body = encodeHelloBody(
      this.unlocked
        ? { deviceId: this.deviceIdBytes, wearState: WearState.WORN_UNLOCKED }
        : { deviceId: this.deviceIdBytes, wearState: WearState.WORN_LOCKED, unlockNonce: this.unlockNonce },
      encodeCborHost,
    );
    const s = setupBaseS(this.provider, this.checkoutHpkeKey, ascii(Label.HELLO));
    if (!s.ok) throw new Error('bench band: hpke setup failed');
    return encodeMessage({ type: 'hello', enc: s.value.enc, ct: s.value.ctx.seal(EMPTY, body) }, encodeCborHost);
  }

  open(challengeMessage: Uint8Array): OpenedChallenge {
    const m = decodeMessageOf(challengeMessage, 'challenge');
    if (!m.ok) throw new Error('bench band: not a CHALLENGE');
    const r = setupBaseR(this.provider, m.value.enc, this.hpke, ascii(Label.CHALLENGE));
    if (!r.ok) throw new Error('bench band: hpke setup failed');
    const plain = r.value.open(EMPTY, m.value.ct);
    if (!plain.ok) throw new Error('bench band: challenge does not open');
    const sign1 = decodeSign1(plain.value, true);
    if (!sign1.ok) throw new Error('bench band: challenge is not a COSE_Sign1');
    const tbs = sigStructure(sign1.value.protectedBytes, EMPTY, sign1.value.payload);
    if (!this.provider.p256Verify(this.checkoutSigningKey as Uint8Array, tbs, sign1.value.signature))
      throw new Error('bench band: bad checkout signature');
    const body = decodeChallengeBody(sign1.value.payload);
    if (!body.ok) throw new Error('bench band: challenge body');
    if (body.value.kind === 'unlock') this.unlocked = true;
    if (body.value.kind === 'provision' && body.value.card.kind === 'bank') this.cardRef = body.value.card.cardRef;
    return { body: body.value, ctx: r.value, enc: m.value.enc };
  }

  answerOk(o: OpenedChallenge): Uint8Array {
    const cardCount = o.body.kind === 'provision' || o.body.kind === 'remove-card' ? 1 : undefined;
    return this.seal(o, encodeAnswerBody({ status: Status.OK, cardCount }, encodeCborHost));
  }

  /** Signs the payment token (button pressed, so the password-free limits do not apply). */
  pay(o: OpenedChallenge): Uint8Array {
    const c = o.body;
    if (c.kind !== 'payment') throw new Error('bench band: not a payment challenge');
    this.counter += 1;
    const token = signToken(
      {
        deviceId: this.deviceIdBytes,
        cardRef: c.cardRef ?? (this.cardRef as string),
        amount: c.amount,
        currency: c.currency,
        merchantId: c.merchantId,
        terminalId: c.terminalId,
        orderId: c.orderId,
        checkoutNonce: c.nonce,
        counter: this.counter,
        time: Math.floor(Date.now() / 1000),
        flags: TokenFlag.WORN | TokenFlag.UNLOCKED | TokenFlag.CONFIRMED,
      },
      (tbs) => this.provider.p256Sign(this.signing, tbs),
      encodeCborHost,
    );
    return this.seal(o, encodeAnswerBody({ status: Status.OK, token }, encodeCborHost));
  }

  private seal(o: OpenedChallenge, body: Uint8Array): Uint8Array {
    return encodeMessage(
      { type: 'answer', sealed: sealResponse(this.provider, o.ctx, o.enc, body, ascii(Label.ANSWER)) },
      encodeCborHost,
    );
  }
}
