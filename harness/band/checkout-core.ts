/**
 * The checkout's side of the protocol, reduced to what firmware tests need: enroll a band,
 * seal signed challenges to it, open its hellos and answers, seal results. Built from the
 * shared protocol code only, over any CryptoProvider: the host's (./checkout-double.ts) or
 * the Duktape stand-ins (harness/engines/duk-checkout/), so it bundles into ES5 as well.
 * A unit-test double; the real checkout is in checkout.
 */
import { encodeCbor } from '../../shared/cbor/encode.ts';
import { CborMap, type CborValue } from '../../shared/cbor/types.ts';
import { ascii } from '../../shared/crypto/bytes.ts';
import type { CryptoProvider, KeyHandle } from '../../shared/crypto/provider.ts';
import { ES256, encodeSign1, sigStructure } from '../../shared/cose/sign1.ts';
import { openResponse, sealResponse, type SenderContext, setupBaseR, setupBaseS } from '../../shared/hpke/index.ts';
import {
  type AnswerBody,
  type ChallengeBody,
  type HelloBody,
  decodeAnswerBody,
  decodeHelloBody,
  encodeChallengeBody,
  encodeResultBody,
} from '../../shared/messages/bodies.ts';
import type { Message } from '../../shared/messages/clear.ts';
import { Label } from '../../shared/protocol/constants.ts';
import type { StatusCode } from '../../shared/status/codes.ts';

export interface EnrolledBand {
  deviceId: Uint8Array;
  signingKey: Uint8Array;
  hpkeKey: Uint8Array;
}

export interface IssuedChallenge {
  message: Extract<Message, { type: 'challenge' }>;
  body: ChallengeBody;
  ctx: SenderContext;
  enc: Uint8Array;
}

/** Deterministic CBOR encoder; the host passes cbor-x's (the same bytes). */
export type CborEncoder = (value: CborValue) => Uint8Array;

let nonceCounter = 0;

export class CheckoutCore {
  readonly provider: CryptoProvider;
  // Not readonly: a key rotation (useKeys) replaces them.
  signing: KeyHandle;
  hpke: KeyHandle;
  signingPub: Uint8Array;
  hpkePub: Uint8Array;

  constructor(
    provider: CryptoProvider,
    private readonly encode: CborEncoder = encodeCbor,
  ) {
    this.provider = provider;
    this.signing = provider.p256Generate();
    this.hpke = provider.p256Generate();
    this.signingPub = provider.p256PublicKey(this.signing);
    this.hpkePub = provider.p256PublicKey(this.hpke);
  }

  /** After a key update the band accepted: sign and open hellos with the new keys from now on. */
  useKeys(signing: KeyHandle, hpke: KeyHandle): void {
    this.signing = signing;
    this.hpke = hpke;
    this.signingPub = this.provider.p256PublicKey(signing);
    this.hpkePub = this.provider.p256PublicKey(hpke);
  }

  enrollMessage(nonce = this.provider.randomBytes(16)): Extract<Message, { type: 'enroll' }> {
    return { type: 'enroll', checkoutSigningKey: this.signingPub, checkoutHpkeKey: this.hpkePub, nonce };
  }

  /** Checks an ENROLLED against the ENROLL it answers; returns the band's identity. */
  acceptEnrolled(
    enroll: Extract<Message, { type: 'enroll' }>,
    m: Extract<Message, { type: 'enrolled' }>,
  ): EnrolledBand {
    const tbs = encodeCbor([Label.ENROLL, enroll.nonce, this.signingPub, this.hpkePub, m.signingKey, m.hpkeKey]);
    if (!this.provider.p256Verify(m.signingKey, tbs, m.signature))
      throw new Error('enrollment signature does not verify');
    return {
      deviceId: this.provider.sha256(m.signingKey).subarray(0, 16),
      signingKey: m.signingKey,
      hpkeKey: m.hpkeKey,
    };
  }

  openHello(m: Extract<Message, { type: 'hello' }>): HelloBody {
    const ctx = setupBaseR(this.provider, m.enc, this.hpke, ascii(Label.HELLO));
    if (!ctx.ok) throw new Error('hello: ' + ctx.status);
    const pt = ctx.value.open(new Uint8Array(0), m.ct);
    if (!pt.ok) throw new Error('hello does not open');
    const body = decodeHelloBody(pt.value);
    if (!body.ok) throw new Error('hello body: ' + body.status);
    return body.value;
  }

  nonce(): Uint8Array {
    const n = this.provider.randomBytes(16);
    n[0] = nonceCounter++ & 0xff;
    return n;
  }

  /** Signs `body` (COSE_Sign1 by the checkout key, protected header {1: -7} unless told) and seals it to the band. */
  challenge(
    band: EnrolledBand,
    body: ChallengeBody,
    signWith: KeyHandle = this.signing,
    protectedMap: CborMap = new CborMap([1], [ES256]),
  ): IssuedChallenge {
    const protectedBytes = this.encode(protectedMap);
    const payload = encodeChallengeBody(body, this.encode);
    const signature = this.provider.p256Sign(signWith, sigStructure(protectedBytes, new Uint8Array(0), payload));
    const signed = encodeSign1(protectedBytes, new CborMap(), payload, signature, true);
    const s = setupBaseS(this.provider, band.hpkeKey, ascii(Label.CHALLENGE));
    if (!s.ok) throw new Error('seal: ' + s.status);
    const ct = s.value.ctx.seal(new Uint8Array(0), signed);
    return { message: { type: 'challenge', enc: s.value.enc, ct }, body, ctx: s.value.ctx, enc: s.value.enc };
  }

  openAnswer(c: IssuedChallenge, m: Extract<Message, { type: 'answer' }>): AnswerBody {
    const pt = openResponse(this.provider, c.ctx, c.enc, m.sealed, ascii(Label.ANSWER));
    if (!pt.ok) throw new Error('answer does not open: ' + pt.status);
    const body = decodeAnswerBody(pt.value);
    if (!body.ok) throw new Error('answer body: ' + body.status);
    return body.value;
  }

  result(c: IssuedChallenge, status: StatusCode): Extract<Message, { type: 'result' }> {
    return {
      type: 'result',
      sealed: sealResponse(this.provider, c.ctx, c.enc, encodeResultBody({ status }), ascii(Label.RESULT)),
    };
  }
}
