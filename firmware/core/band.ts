/**
 * The band: wires wear session, wallet, storage, link and crypto together and answers
 * each message (DESIGN.md, "The band"). Every byte from the radio is untrusted; every
 * refusal carries a status code; nothing here throws to the engine on bad input.
 */
import { encodeCbor } from '../../shared/cbor/encode.ts';
import { ascii } from '../../shared/crypto/bytes.ts';
import { CryptoProvider } from '../../shared/crypto/provider.ts';
import { RecipientContext, openResponse, sealResponse, setupBaseS } from '../../shared/hpke/index.ts';
import { AnswerBody, ChallengeBody, decodeResultBody, encodeAnswerBody, encodeHelloBody } from '../../shared/messages/bodies.ts';
import { EnrollMessage, Message, decodeMessage, encodeMessage } from '../../shared/messages/clear.ts';
import { Label, MAX_MESSAGE_BYTES, WearState } from '../../shared/protocol/constants.ts';
import { Status, StatusCode } from '../../shared/status/codes.ts';
import { BandConfig } from '../config.ts';
import { Hal, Slot } from '../hal.ts';
import { BandStore, Enrollment, RecordStore } from './band-store.ts';
import { ReplayMemory, openChallenge } from './challenge-open.ts';
import { clip, formatAmount, idleLines, resultLines, statusLine } from './display-text.ts';
import { createHalProvider } from './hal-provider.ts';
import { Link } from './link.ts';
import { PaymentContext, PaymentOutcome, PendingConfirmation, completePayment } from './payment-flow.ts';
import { decidePayment } from './payment-policy.ts';
import { DAY_MS, Wallet } from './wallet.ts';
import { WearSession } from './wear-session.ts';

export interface BandStats {
  signatures: number;
  refusals: number;
  lastStatus: StatusCode;
}

export class Band {
  readonly provider: CryptoProvider;
  readonly session: WearSession;
  readonly wallet: Wallet;
  readonly stats: BandStats = { signatures: 0, refusals: 0, lastStatus: Status.OK };
  private readonly store: BandStore;
  private readonly link: Link;
  private readonly replay: ReplayMemory;
  private enrollment: Enrollment | null;
  private pending: PendingConfirmation | null = null;
  /** The exchange a RESULT may answer, and what it was about (null when the challenge did not open that far). */
  private lastExchange: { ctx: RecipientContext; enc: Uint8Array; body: ChallengeBody | null } | null = null;
  storageStatus: StatusCode;

  constructor(
    private readonly hal: Hal,
    records: RecordStore,
    private readonly config: BandConfig,
  ) {
    this.provider = createHalProvider(hal);
    this.store = new BandStore(records);
    this.wallet = new Wallet(config.maxCards);
    this.replay = new ReplayMemory(config.replayMemory);
    this.enrollment = this.store.loadEnrollment();
    this.storageStatus = this.store.loadWallet(this.wallet);
    if (this.enrollment !== null && !hal.se.hasKey(Slot.SIGNING)) this.enrollment = null;
    this.session = new WearSession(hal.clock, hal.random, config);
    this.session.onChange((state) => this.onWearChange(state));
    this.link = new Link(hal.radio, hal.clock, {
      onMessage: (payload) => this.onMessage(payload),
      onCancel: () => this.cancelPending(),
      onDisconnect: () => this.cancelPending(),
    });
    hal.wear.onSample((onSkin) => this.session.sample(onSkin));
    hal.charger.onChange((charging) => this.session.charging(charging, hal.wear.current()));
    hal.button.onPress(() => {
      if (this.pending !== null) this.pending.press();
    });
    this.session.start(hal.wear.current(), hal.charger.isCharging());
    this.publishInfo();
    this.showIdle();
  }

  isEnrolled(): boolean {
    return this.enrollment !== null;
  }

  isAwaitingConfirmation(): boolean {
    return this.pending !== null;
  }

  deviceId(): Uint8Array | null {
    return this.enrollment === null ? null : this.enrollment.deviceId;
  }

  private publishInfo(): void {
    this.hal.radio.setInfo(encodeMessage({ type: 'info', maxMessageSize: MAX_MESSAGE_BYTES, firmware: this.config.firmware, enrolled: this.isEnrolled() }));
  }

  private show(lines: string[]): void {
    const out: string[] = [];
    for (let i = 0; i < lines.length && i < this.hal.display.lines; i++) out.push(clip(lines[i], this.hal.display.columns));
    this.hal.display.show(out);
  }

  private showIdle(): void {
    this.show(idleLines(this.session.current(), this.isEnrolled(), this.wallet.entries.length));
  }

  private onWearChange(state: number): void {
    if (this.pending !== null && state !== WearState.WORN_UNLOCKED) {
      this.pending.abort(state === WearState.CHARGING ? Status.CHARGING : state === WearState.OFF_WRIST ? Status.NOT_WORN : Status.LOCKED);
    }
    if (this.pending === null) this.showIdle();
  }

  private cancelPending(): void {
    if (this.pending === null) return;
    const p = this.pending;
    this.pending = null;
    p.abort(Status.TIMEOUT);
  }

  // ---- messages ----
  private onMessage(payload: Uint8Array): void {
    const decoded = decodeMessage(payload);
    if (!decoded.ok) return this.refuseClear(decoded.status);
    const m: Message = decoded.value;
    switch (m.type) {
      case 'hello-request':
        return this.sendHello();
      case 'enroll':
        return this.enroll(m);
      case 'challenge':
        return this.onChallenge(m.enc, m.ct);
      case 'result':
        return this.onResult(m.sealed);
      default:
        return this.refuseClear(Status.UNKNOWN_COMMAND);
    }
  }

  private refuseClear(status: StatusCode): void {
    this.stats.refusals++;
    this.stats.lastStatus = status;
    this.link.sendError(status);
  }

  private sendHello(): void {
    const e = this.enrollment;
    if (e === null) return this.refuseClear(Status.NOT_ENROLLED);
    // Only a worn, locked band offers its unlock nonce: unlocked, it needs no grant.
    const state = this.session.current();
    const nonce = state === WearState.WORN_LOCKED ? this.session.unlockNonce() : null;
    const body = encodeHelloBody({ deviceId: e.deviceId, wearState: state, unlockNonce: nonce === null ? undefined : nonce });
    const s = setupBaseS(this.provider, e.checkoutHpkeKey, ascii(Label.HELLO));
    if (!s.ok) return this.refuseClear(s.status);
    const ct = s.value.ctx.seal(new Uint8Array(0), body);
    this.link.sendMessage(encodeMessage({ type: 'hello', enc: s.value.enc, ct }));
  }

  private enroll(m: EnrollMessage): void {
    if (this.enrollment !== null) return this.refuseClear(Status.ALREADY_ENROLLED);
    const se = this.hal.se;
    if (!se.isValidPublic(m.checkoutSigningKey) || !se.isValidPublic(m.checkoutHpkeKey)) return this.refuseClear(Status.INVALID_KEY);
    se.generate(Slot.SIGNING);
    se.generate(Slot.HPKE);
    const signingKey = se.publicKey(Slot.SIGNING) as Uint8Array;
    const hpkeKey = se.publicKey(Slot.HPKE) as Uint8Array;
    const enrollment: Enrollment = { checkoutSigningKey: m.checkoutSigningKey, checkoutHpkeKey: m.checkoutHpkeKey, deviceId: this.hal.hash.sha256(signingKey).subarray(0, 16) };
    this.wallet.clear();
    if (!this.store.commitWallet(this.wallet) || !this.store.saveEnrollment(enrollment)) return this.refuseClear(Status.STORAGE_CORRUPT);
    // A fresh wallet was just committed: no counter left that could repeat.
    this.storageStatus = Status.OK;
    this.enrollment = enrollment;
    const signature = se.sign(Slot.SIGNING, encodeCbor([Label.ENROLL, m.nonce, m.checkoutSigningKey, m.checkoutHpkeKey, signingKey, hpkeKey])) as Uint8Array;
    this.publishInfo();
    this.showIdle();
    this.link.sendMessage(encodeMessage({ type: 'enrolled', signingKey, hpkeKey, signature }));
  }

  private onChallenge(enc: Uint8Array, ct: Uint8Array): void {
    const e = this.enrollment;
    if (e === null) return this.refuseClear(Status.NOT_ENROLLED);
    if (this.pending !== null) return this.refuseClear(Status.BUSY);
    const opened = openChallenge(this.provider, { type: 'challenge', enc, ct }, e, this.replay, this.hal.clock.wallMs(), this.config);
    if (!opened.opened) {
      if (opened.status === Status.BAD_SIGNATURE) this.session.recordFailure();
      if (opened.ctx !== undefined && opened.enc !== undefined) {
        this.lastExchange = { ctx: opened.ctx, enc: opened.enc, body: null };
        return this.answer({ status: opened.status });
      }
      return this.refuseClear(opened.status);
    }
    this.lastExchange = { ctx: opened.challenge.ctx, enc: opened.challenge.enc, body: opened.challenge.body };
    this.dispatch(opened.challenge.body, e);
  }

  private dispatch(body: ChallengeBody, e: Enrollment): void {
    switch (body.kind) {
      case 'payment':
        return this.pay(body, e);
      case 'unlock': {
        const status = this.session.unlock(body);
        if (status === Status.OK) this.show(['Unlocked', 'Ready to pay']);
        return this.answer({ status });
      }
      case 'provision': {
        const status = this.wallet.add(body.card);
        if (status !== Status.OK) return this.answer({ status });
        if (!this.store.commitWallet(this.wallet)) return this.reloadAndAnswer();
        this.show(['Card added', body.card.issuer + ' ' + body.card.last4]);
        return this.answer({ status: Status.OK, cardCount: this.wallet.entries.length });
      }
      case 'remove-card': {
        const status = this.wallet.remove(body.cardRef);
        if (status !== Status.OK) return this.answer({ status });
        if (!this.store.commitWallet(this.wallet)) return this.reloadAndAnswer();
        return this.answer({ status: Status.OK, cardCount: this.wallet.entries.length });
      }
      case 'wipe':
        return this.wipe();
    }
  }

  private reloadAndAnswer(): void {
    this.storageStatus = this.store.loadWallet(this.wallet);
    this.answer({ status: Status.STORAGE_CORRUPT });
  }

  private pay(ch: Extract<ChallengeBody, { kind: 'payment' }>, e: Enrollment): void {
    // Damaged flash may have lost a counter: never sign on a counter that could repeat.
    if (this.storageStatus !== Status.OK) return this.finishPayment(ch, { status: Status.STORAGE_CORRUPT });
    const decision = decidePayment({
      challenge: ch,
      worn: this.session.isWorn(),
      unlocked: this.session.isUnlocked(),
      charging: this.hal.charger.isCharging(),
      wallet: this.wallet,
      limits: this.session.currentLimits(),
      day: Math.floor(this.hal.clock.wallMs() / DAY_MS),
    });
    if (!decision.allowed) return this.finishPayment(ch, { status: decision.status });
    const ctx = this.paymentContext(e);
    if (!decision.needsConfirmation) return this.finishPayment(ch, completePayment(ctx, ch, decision.entry, decision.express, false));
    this.pending = new PendingConfirmation(ctx, ch, decision.entry, (outcome) => {
      this.pending = null;
      this.finishPayment(ch, outcome);
    });
  }

  private paymentContext(e: Enrollment): PaymentContext {
    return {
      hal: this.hal,
      config: this.config,
      store: this.store,
      wallet: this.wallet,
      deviceId: e.deviceId,
      keepalive: (remaining) => this.link.sendKeepalive(Status.CONFIRMATION_REQUIRED, remaining),
      unlockedStatus: () => (this.session.isUnlocked() ? Status.OK : this.session.isWorn() ? Status.LOCKED : Status.NOT_WORN),
      show: (lines) => this.show(lines),
    };
  }

  private finishPayment(ch: Extract<ChallengeBody, { kind: 'payment' }>, outcome: PaymentOutcome): void {
    if (outcome.status === Status.OK) {
      this.stats.signatures++;
      this.show([formatAmount(ch.amount, ch.currency), clip(ch.merchantName, 20), 'Sent']);
    } else {
      this.show(['Declined', formatAmount(ch.amount, ch.currency), statusLine(outcome.status)]);
    }
    this.answer({ status: outcome.status, token: outcome.token, balance: outcome.balance });
  }

  private wipe(): void {
    this.cancelPending();
    this.wallet.clear();
    const ok = this.store.commitWallet(this.wallet) && this.store.saveEnrollment(null) && this.store.compact();
    this.hal.se.erase(Slot.SIGNING);
    this.session.lock();
    this.enrollment = null;
    this.publishInfo();
    this.show(['Wiped', 'Payments off']);
    this.answer({ status: ok ? Status.OK : Status.STORAGE_CORRUPT });
  }

  private answer(body: AnswerBody): void {
    if (body.status !== Status.OK) {
      this.stats.refusals++;
      this.stats.lastStatus = body.status;
    }
    const x = this.lastExchange;
    if (x === null) return this.refuseClear(body.status);
    const clean: AnswerBody = { status: body.status };
    if (body.token !== undefined) clean.token = body.token;
    if (body.balance !== undefined) clean.balance = body.balance;
    if (body.cardCount !== undefined) clean.cardCount = body.cardCount;
    const sealed = sealResponse(this.provider, x.ctx, x.enc, encodeAnswerBody(clean), ascii(Label.ANSWER));
    this.link.sendMessage(encodeMessage({ type: 'answer', sealed }));
  }

  private onResult(sealed: Uint8Array): void {
    const x = this.lastExchange;
    if (x === null) return this.refuseClear(Status.MALFORMED);
    const opened = openResponse(this.provider, x.ctx, x.enc, sealed, ascii(Label.RESULT));
    if (!opened.ok) return this.refuseClear(opened.status);
    const r = decodeResultBody(opened.value);
    if (!r.ok) return this.refuseClear(r.status);
    this.lastExchange = null;
    this.show(resultLines(x.body, r.value.status));
    this.hal.haptics.buzz(r.value.status === Status.OK ? 80 : 400);
  }
}
