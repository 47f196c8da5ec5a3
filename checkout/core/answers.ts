/**
 * Verifying a band's ANSWER, for every kind of challenge, as straight guard clauses in
 * the order of trust (each refusal names its status):
 *
 *   challenge exists · terminal may act on it · not answered (REPLAYED) · not expired
 *   (EXPIRED) · ANSWER decodes · response opens (DECRYPT_FAILED) · body decodes ·
 *   band's status is OK · then per kind: token, counter, revocation, limits, and ONE
 *   store transaction that marks the challenge answered together with its effect.
 *
 * Until the response opens, anyone could have sent the bytes, so nothing is written (a
 * relay flipping bits cannot burn a challenge). After it opens the answer is the band's
 * own: a refusal burns the challenge and carries a sealed RESULT for the band's display.
 */
import { verifyToken } from '../../shared/cose/token-verify.ts';
import { type AnswerBody, decodeAnswerBody, decodeMessageOf } from '../../shared/messages/index.ts';
import { TokenFlag } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode, statusName } from '../../shared/status/codes.ts';
import type { AnswerContext, ChallengeRow, TerminalRow, TradeRow } from '../store.ts';
import { deviceIdBytes } from './band-identity.ts';
import { dayOf } from './config.ts';
import type { Ctx } from './context.ts';
import { resultMessage } from './challenges.ts';
import { openResponse } from './envelope.ts';
import { CheckoutError, refuse } from './errors.ts';
import { refuseRevoked } from './hello.ts';
import { inLimitCurrency } from './limit-currency.ts';
import { newId } from './ids.ts';
import { toBase64Url } from '../api/base64url.ts';
import { p1363ToDer } from '../api/webauthn.ts';
import type { IssuedChallenge } from './issued-challenge.ts';
import { offerKeyUpdate } from './key-update.ts';
import { observePayment } from './observer.ts';
import { promotionCommit, termsOf } from './offers.ts';
import { payingCard, tokenCardRef } from './paying-card.ts';
import type { Trades } from './trades.ts';
import { type CardView, type Receipt, cardView, p256Jwk } from './views.ts';

export interface AnswerOutcome {
  kind: ChallengeRow['kind'];
  /** The RESULT message to write to the band. */
  result: Uint8Array;
  receipt?: Receipt;
  card?: CardView;
  /** For a band still on the previous checkout keys: the key update to relay next (PROTOCOL.md §8). */
  keyUpdate?: IssuedChallenge;
  identity?: IdentityAnswer;
}

/** What an identity challenge's band made (PROTOCOL.md §9), base64url, the signature as DER (WebAuthn §6.5.5). */
export interface IdentityAnswer {
  authenticatorData: string;
  signature?: string;
  credentialId?: string;
}

interface Settled {
  receipt?: Receipt;
  card?: CardView;
  identity?: IdentityAnswer;
}

/** The band's own refusal, passed on with its status (whatever the band chose to report). */
function refuseForBand(status: StatusCode): never {
  refuse(status, `the band refused: ${statusName(status) ?? status}`, { byBand: true });
}

export class Answers {
  constructor(
    private readonly ctx: Ctx,
    private readonly trades: Trades,
  ) {}

  async answer(challengeId: string, answerBytes: Uint8Array, terminal: TerminalRow | null): Promise<AnswerOutcome> {
    const started = performance.now();
    // Every row the answer is checked against, in one read; the checks below keep their order.
    const cx = await this.ctx.store.challenges.withContext(challengeId);
    if (!cx) refuse(Status.NOT_FOUND, `no challenge ${challengeId}`);
    if (cx.challenge.kind !== 'payment') return this.verify(cx, answerBytes, terminal);
    return observePayment(this.ctx.observer, 'band', started, this.verify(cx, answerBytes, terminal));
  }

  private async verify(
    cx: AnswerContext,
    answerBytes: Uint8Array,
    terminal: TerminalRow | null,
  ): Promise<AnswerOutcome> {
    const { store, clock, provider } = this.ctx;
    const ch = cx.challenge;
    if (ch.kind === 'payment') {
      if (!terminal) refuse(Status.UNAUTHORIZED, 'a payment answer must come from a signed terminal request');
      if (!cx.trade || cx.trade.merchantId !== terminal.merchantId)
        refuse(Status.FORBIDDEN, "that challenge belongs to another merchant's trade");
    }
    if (ch.answeredAt !== null) refuse(Status.REPLAYED, 'this challenge has been answered already');
    if (ch.expiresAt <= clock()) refuse(Status.EXPIRED, 'the challenge expired before its answer arrived');
    const m = decodeMessageOf(answerBytes, 'answer');
    if (!m.ok) refuse(m.status, `answer: ${m.detail ?? ''}`);
    const plain = openResponse(provider, ch.enc, ch.answerSecret, m.value.sealed);
    if (!plain) refuse(Status.DECRYPT_FAILED, "the answer does not open with this challenge's keys");
    try {
      const body = decodeAnswerBody(plain);
      if (!body.ok) refuse(body.status, `answer body: ${body.detail ?? ''}`);
      const settled = await this.settle(cx, body.value, terminal);
      return {
        kind: ch.kind,
        result: resultMessage(this.ctx, ch, Status.OK),
        receipt: settled.receipt,
        card: settled.card,
        identity: settled.identity,
        keyUpdate: await offerKeyUpdate(this.ctx, cx.band, ch.kind),
      };
    } catch (e) {
      if (!(e instanceof CheckoutError)) throw e;
      // The band's own answer was refused: spend the nonce, and tell the band why. Unless
      // another request answered it since we read it (a second instance racing us on the same
      // answer: our counter check then sees its commit): then this post is a replay.
      if (!(await store.challenges.markAnswered(ch.id, e.status, clock())))
        refuse(Status.REPLAYED, 'answered concurrently');
      throw new CheckoutError(e.status, e.message, { ...e.extras, result: resultMessage(this.ctx, ch, e.status) });
    }
  }

  private async settle(cx: AnswerContext, body: AnswerBody, terminal: TerminalRow | null): Promise<Settled> {
    const { store, clock } = this.ctx;
    const { challenge: ch, band } = cx;
    if (ch.kind === 'payment') return this.settlePayment(cx, body, terminal as TerminalRow); // answer() refused an unsigned payment answer
    if (!band) refuse(Status.UNKNOWN_DEVICE, 'band vanished');
    if (ch.kind === 'wipe') {
      if (body.status !== Status.OK) refuseForBand(body.status);
      await this.markAnswered(ch);
      await store.bands.markWiped(band.deviceId, clock());
      return {};
    }
    if (ch.kind === 'find') {
      if (body.status !== Status.OK) refuseForBand(body.status);
      await this.markAnswered(ch);
      await store.bands.markRang(band.deviceId, clock());
      return {};
    }
    if (band.status !== 'active') await refuseRevoked(this.ctx, band);
    if (ch.kind === 'key-update') {
      if (body.status !== Status.OK) refuseForBand(body.status);
      await this.markAnswered(ch);
      await store.bands.setCheckoutKey(band.deviceId, this.ctx.keys.id);
      return {};
    }
    if (ch.kind === 'identity-register' || ch.kind === 'identity-assert') {
      if (body.status !== Status.OK) refuseForBand(body.status);
      const assert = ch.kind === 'identity-assert';
      if (!body.authData || (assert && (!body.signature || !body.credentialId)))
        refuse(Status.MALFORMED, 'an identity answer carries authenticator data (and, asserting, a signature and id)');
      await this.markAnswered(ch);
      // What the bridge puts into the WebAuthn response; the verdict is the relying party's (identity-*.ts).
      return {
        identity: {
          authenticatorData: toBase64Url(body.authData),
          signature: assert ? toBase64Url(p1363ToDer(body.signature as Uint8Array)) : undefined,
          credentialId: assert ? toBase64Url(body.credentialId as Uint8Array) : undefined,
        },
      };
    }
    const cardRef = ch.cardRef as string;
    if (body.status !== Status.OK) {
      // What the band's refusal means for our view of its wallet.
      if (ch.kind === 'provision') await store.bands.setCardState(cardRef, 'failed');
      if (ch.kind === 'remove-card')
        await store.bands.setCardState(cardRef, body.status === Status.CARD_NOT_FOUND ? 'removed' : 'active');
      refuseForBand(body.status);
    }
    await this.markAnswered(ch);
    if (ch.kind === 'unlock') {
      await store.bands.markUnlocked(band.deviceId, clock());
      // Unlocked with its owner's password: it is with its owner (find-band.ts).
      if (band.findRequestedAt !== null) await store.bands.requestFind(band.deviceId, null);
      return {};
    }
    await store.bands.setCardState(cardRef, ch.kind === 'provision' ? 'active' : 'removed');
    const card = await store.bands.card(cardRef);
    return { card: card ? cardView(card) : undefined };
  }

  private async markAnswered(ch: ChallengeRow): Promise<void> {
    if (!(await this.ctx.store.challenges.markAnswered(ch.id, Status.OK, this.ctx.clock())))
      refuse(Status.REPLAYED, 'answered concurrently');
  }

  private async settlePayment(cx: AnswerContext, body: AnswerBody, terminal: TerminalRow): Promise<Settled> {
    const { clock, config, provider } = this.ctx;
    const { challenge: ch, band, payer } = cx;
    const trade = cx.trade as TradeRow; // answer() refused a payment challenge without its trade
    if (body.status !== Status.OK) refuseForBand(body.status);
    if (!body.token) refuse(Status.MALFORMED, 'a payment answer must carry a token');
    if (!band || !cx.card || !payer) refuse(Status.UNKNOWN_DEVICE, 'band, card or account vanished');
    // The card the token names (the wearer may have switched at the tap, paying-card.ts), held to
    // what a switch can reach; then the token is verified against that card: its cardRef, its
    // counter, and the amount the challenge promised it (offers.ts: the band must have signed that).
    const card = await payingCard(
      this.ctx.store,
      band,
      cx.card,
      tokenCardRef(body.token) ?? cx.card.cardRef,
      trade,
      ch.express,
    );
    const terms = termsOf(ch, card.cardRef);
    const charged = terms ? terms.amount : trade.amount;
    const verdict = verifyToken(provider, body.token, band.signingKey, {
      deviceId: deviceIdBytes(band.deviceId),
      amount: charged,
      currency: trade.currency,
      merchantId: trade.merchantId,
      terminalId: ch.terminalId as string,
      orderId: trade.outTradeNo,
      checkoutNonce: ch.nonce,
      cardRef: card.cardRef,
      lastCounter: card.lastCounter,
      express: ch.express,
    });
    if (!verdict.verified) refuse(verdict.status, `token refused at step ${verdict.step}`);
    if (band.status !== 'active') await refuseRevoked(this.ctx, band);
    const now = clock();
    // The trade's timeout holds at the answer too: a challenge issued just before it (challenges
    // live a minute) must not pay a trade the merchant already takes as expired unpaid.
    if (trade.createdAt + config.tradeTtlMs <= now) refuse(Status.TRADE_CLOSED, 'trade expired unpaid');
    const day = dayOf(config, now);
    const confirmed = (verdict.claims.flags & TokenFlag.CONFIRMED) !== 0;
    // Express transit fares are bounded by the city's fare cap instead of the limits. The
    // day limit is checked where the day's total is added, in the payment's transaction
    // (it refuses with the same status); reading the total here too would only be older.
    // Both limits are in the limit currency (limit-currency.ts); without a rate, only confirmed.
    const counted = inLimitCurrency(config, charged, trade.currency);
    if (!ch.express && !confirmed && (counted === null || counted > payer.limitPerPayment)) {
      refuse(Status.LIMIT_EXCEEDED, 'above the password-free limit without a button press on the band');
    }
    const paymentId = newId(provider, 'pay');
    const receipt = await this.trades.record(
      trade,
      cx.merchantName ?? '',
      {
        id: paymentId,
        tradeNo: trade.tradeNo,
        accountId: payer.accountId,
        deviceId: band.deviceId,
        cardRef: card.cardRef,
        amount: trade.amount,
        currency: trade.currency,
        method: 'band',
        counter: verdict.claims.counter,
        challengeId: ch.id,
        day,
        confirmed,
        createdAt: now,
      },
      card,
      {
        challengeId: ch.id,
        counter: { cardRef: card.cardRef, value: verdict.claims.counter },
        balance: ch.express
          ? { cardRef: card.cardRef, value: body.balance ?? Math.max(0, card.balance - charged) }
          : undefined,
        // A confirmed payment in a currency without a rate is not counted: it could not be, and needs no limit.
        dayLimit:
          ch.express || counted === null
            ? undefined
            : { perDay: payer.limitPerDay, confirmed, amount: counted, currency: config.limitCurrency },
        // The terminal that started the payment and the one posting its answer: either may have
        // been unpaired since it was authenticated, so the commit checks both.
        terminalIds: ch.terminalId === terminal.id ? [terminal.id] : [ch.terminalId as string, terminal.id],
        promotion: promotionCommit(terms, {
          id: paymentId,
          tradeNo: trade.tradeNo,
          accountId: payer.accountId,
          amount: trade.amount,
          createdAt: now,
        }),
      },
    );
    if (terms && (terms.discount > 0 || terms.points > 0))
      receipt.promotion = {
        listAmount: trade.amount,
        discount: terms.discount,
        charged,
        points: terms.points,
        label: terms.label,
      };
    receipt.evidence = {
      token: toBase64Url(body.token),
      deviceKey: p256Jwk(band.signingKey),
      counter: verdict.claims.counter,
      confirmed,
      express: ch.express,
    };
    return { receipt };
  }
}
