/**
 * The band: wires wear session, wallet, storage, link and crypto together and answers
 * each message (docs/FIRMWARE.md; docs/ARCHITECTURE.md, "One payment, end to end"). Every
 * byte from the radio is untrusted; every
 * refusal carries a status code; nothing here throws to the engine on bad input.
 */
import { encodeCbor } from '../../shared/cbor/encode.ts';
import { ascii } from '../../shared/crypto/bytes.ts';
import type { CryptoProvider } from '../../shared/crypto/provider.ts';
import {
  type RecipientContext,
  SUITE_CHACHA20_POLY1305,
  openResponseWithSecret,
  responseSecret,
  sealResponseWithSecret,
  setupBaseS,
} from '../../shared/hpke/index.ts';
import {
  type AnswerBody,
  type ChallengeBody,
  decodeResultBody,
  encodeAnswerBody,
  encodeHelloBody,
} from '../../shared/messages/bodies.ts';
import {
  type ChallengeMessage,
  type EnrollMessage,
  type EnrolledMessage,
  type Message,
  decodeMessage,
  encodeMessage,
} from '../../shared/messages/clear.ts';
import { Label, MAX_MESSAGE_BYTES, WearState } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { BandConfig } from '../config.ts';
import { type Hal, Slot } from '../hal.ts';
import { BandStore, type Enrollment, type RecordStore } from './band-store.ts';
import { ReplayMemory, openChallenge } from './challenge-open.ts';
import { formatAmount, idleLines, resultLines, statusLine } from './display-text.ts';
import { amountFor } from './offers.ts';
import { createHalProvider } from './hal-provider.ts';
import { startIdentity, wipeIdentity } from './identity.ts';
import { Link, type LinkHandlers } from './link.ts';
import {
  type PaymentContext,
  type PaymentOutcome,
  PendingConfirmation,
  completePayment,
  showTap,
} from './payment-flow.ts';
import { ringToBeFound } from './find-me.ts';
import { decidePayment } from './payment-policy.ts';
import { DAY_MS, Wallet, type WalletEntry } from './wallet.ts';
import { type WearListener, WearSession } from './wear-session.ts';

export interface BandStats {
  signatures: number;
  refusals: number;
  lastStatus: StatusCode;
}

/**
 * The band is itself the listener of its link and wear session and the context of its payments
 * (no adapter closures or objects: each costs heap).
 */
export class Band implements LinkHandlers, WearListener, PaymentContext {
  readonly provider: CryptoProvider;
  readonly session: WearSession;
  readonly wallet: Wallet;
  readonly stats: BandStats = { signatures: 0, refusals: 0, lastStatus: Status.OK };
  readonly store: BandStore;
  readonly link: Link;
  private readonly replay: ReplayMemory;
  /** The pinned checkout keys and this band's id; null until enrolled (and after a wipe). */
  enrollment: Enrollment | null;
  /** The payment (or identity ceremony, core/identity.ts) waiting for the button, if any. */
  pending: PendingConfirmation<PaymentOutcome> | PendingConfirmation<AnswerBody> | null = null;
  /**
   * The exchange a RESULT may answer. Its HPKE context (keys, closures: about 1.5 KB) is kept only
   * until the answer is sealed; after that only the secret the RESULT is sealed under. What it was
   * about is kept as the display needs it (`kind`: '' when the challenge did not open that far;
   * `amount`: a payment's amount as shown), not as the whole decoded challenge.
   */
  private lastExchange: {
    ctx: RecipientContext | null;
    resultSecret: Uint8Array | null;
    enc: Uint8Array;
    kind: string;
    amount: string;
  } | null = null;
  storageStatus: StatusCode;

  constructor(
    readonly hal: Hal,
    records: RecordStore,
    readonly config: BandConfig,
  ) {
    this.provider = createHalProvider(hal);
    this.store = new BandStore(records, hal.log);
    this.wallet = new Wallet(config.maxCards);
    this.replay = new ReplayMemory(config.replayMemory);
    this.enrollment = this.store.loadEnrollment();
    this.storageStatus = this.store.loadWallet(this.wallet);
    if (this.enrollment !== null && !hal.se.hasKey(Slot.SIGNING)) this.enrollment = null;
    this.session = new WearSession(hal.clock, hal.random, config, this);
    this.link = new Link(hal.radio, hal.clock, this);
    // A fresh private address every boot (PROTOCOL.md §7); unenrolled, from a key nobody holds.
    hal.radio.setIdentityKey(
      this.enrollment !== null && this.enrollment.irk !== null ? this.enrollment.irk : hal.random.bytes(16),
    );
    hal.wear.onSample((onSkin) => this.session.sample(onSkin));
    hal.charger.onChange((charging) => this.session.charging(charging, hal.wear.current()));
    hal.button.onPress(() => {
      if (this.pending !== null) this.pending.press();
    });
    this.session.start(hal.wear.current(), hal.charger.isCharging());
    this.publishInfo();
    this.showIdle();
  }

  private publishInfo(): void {
    this.hal.radio.setInfo(
      encodeMessage({
        type: 'info',
        maxMessageSize: MAX_MESSAGE_BYTES,
        firmware: this.config.firmware,
        enrolled: this.enrollment !== null,
      }),
    );
  }

  show(lines: string[]): void {
    const out: string[] = [];
    // As many lines as the display has, each cut to its width.
    for (let i = 0; i < lines.length && i < this.hal.display.lines; i++)
      out.push(lines[i].substring(0, this.hal.display.columns));
    this.hal.display.show(out);
  }

  private showIdle(): void {
    this.show(idleLines(this.session.current(), this.enrollment !== null, this.wallet.entries.length));
  }

  onWearChange(state: number): void {
    // Put on, taken off, charging, locked: a new address, so no address spans two wears.
    this.hal.radio.newAddress();
    if (this.pending !== null && state !== WearState.WORN_UNLOCKED) {
      this.pending.finish({
        status:
          state === WearState.CHARGING
            ? Status.CHARGING
            : state === WearState.OFF_WRIST
              ? Status.NOT_WORN
              : Status.LOCKED,
      });
    }
    if (this.pending === null) this.showIdle();
  }

  /** The host sent CANCEL or went away, or a wipe: a pending confirmation ends with TIMEOUT. */
  cancelPending(): void {
    if (this.pending === null) return;
    const p = this.pending;
    this.pending = null;
    p.finish({ status: Status.TIMEOUT });
  }

  // ---- messages ----
  onMessage(payload: Uint8Array): void {
    const decoded = decodeMessage(payload);
    if (!decoded.ok) return this.refuseClear(decoded.status);
    const m: Message = decoded.value;
    switch (m.type) {
      case 'hello-request':
        return this.sendHello();
      case 'enroll':
        return this.enroll(m);
      case 'challenge':
        return this.onChallenge(m);
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
    const nonce = state === WearState.WORN_LOCKED ? this.session.nonce : null;
    const battery = this.hal.charger.batteryPercent();
    const body = encodeHelloBody({
      deviceId: e.deviceId,
      wearState: state,
      unlockNonce: nonce === null ? undefined : nonce,
      // Sealed to the checkout, for the owner's "find my band": never in anything the radio shows.
      battery: battery >= 0 && battery <= 100 ? Math.round(battery) : undefined,
    });
    const s = setupBaseS(this.provider, e.checkoutHpkeKey, ascii(Label.HELLO));
    if (!s.ok) return this.refuseClear(s.status);
    const ct = s.value.ctx.seal(new Uint8Array(0), body);
    this.link.sendMessage(encodeMessage({ type: 'hello', enc: s.value.enc, ct }));
  }

  private enroll(m: EnrollMessage): void {
    if (this.enrollment !== null) return this.refuseClear(Status.ALREADY_ENROLLED);
    const se = this.hal.se;
    const owner = m.ownerKey;
    if (
      !se.isValidPublic(m.checkoutSigningKey) ||
      !se.isValidPublic(m.checkoutHpkeKey) ||
      (owner !== undefined && !se.isValidPublic(owner))
    )
      return this.refuseClear(Status.INVALID_KEY);
    se.generate(Slot.SIGNING);
    se.generate(Slot.HPKE);
    const signingKey = se.publicKey(Slot.SIGNING) as Uint8Array;
    const hpkeKey = se.publicKey(Slot.HPKE) as Uint8Array;
    const irk = this.hal.random.bytes(16);
    const enrollment: Enrollment = {
      checkoutSigningKey: m.checkoutSigningKey,
      checkoutHpkeKey: m.checkoutHpkeKey,
      deviceId: this.hal.hash.sha256(signingKey).subarray(0, 16),
      irk,
      keyEpoch: 0,
    };
    this.wallet.clear();
    if (!this.store.commitWallet(this.wallet) || !this.store.saveEnrollment(enrollment))
      return this.refuseClear(Status.STORAGE_CORRUPT);
    // A fresh wallet was just committed: no counter left that could repeat.
    this.storageStatus = Status.OK;
    this.enrollment = enrollment;
    const signature = se.sign(
      Slot.SIGNING,
      encodeCbor([Label.ENROLL, m.nonce, m.checkoutSigningKey, m.checkoutHpkeKey, signingKey, hpkeKey]),
    ) as Uint8Array;
    const out: EnrolledMessage = { type: 'enrolled', signingKey, hpkeKey, signature };
    // The IRK goes to the enrolling owner's bridge only: sealed to its key, signed so a relay cannot swap that key (PROTOCOL.md §7).
    const s = owner !== undefined ? setupBaseS(this.provider, owner, ascii(Label.IRK)) : null;
    if (owner !== undefined && s !== null && s.ok) {
      out.irkEnc = s.value.enc;
      out.irkCt = s.value.ctx.seal(new Uint8Array(0), irk);
      out.irkSignature = se.sign(
        Slot.SIGNING,
        encodeCbor([Label.IRK, m.nonce, owner, out.irkEnc, out.irkCt]),
      ) as Uint8Array;
    }
    this.hal.radio.setIdentityKey(irk);
    this.publishInfo();
    this.showIdle();
    this.link.sendMessage(encodeMessage(out));
  }

  /** Opens a challenge (every step guarded, challenge-open.ts) and does what it asks. */
  private onChallenge(m: ChallengeMessage): void {
    const e = this.enrollment;
    if (e === null) return this.refuseClear(Status.NOT_ENROLLED);
    if (this.pending !== null) return this.refuseClear(Status.BUSY);
    const opened = openChallenge(this.provider, m, e, this.replay, this.hal.clock.wallMs(), this.config);
    if (!opened.opened) {
      if (opened.status === Status.BAD_SIGNATURE) this.session.recordFailure();
      if (opened.ctx !== undefined && opened.enc !== undefined) {
        this.lastExchange = { ctx: opened.ctx, resultSecret: null, enc: opened.enc, kind: '', amount: '' };
        return this.answer({ status: opened.status });
      }
      return this.refuseClear(opened.status);
    }
    const body = opened.challenge.body;
    const amount = body.kind === 'payment' ? formatAmount(body.amount, body.currency) : '';
    this.lastExchange = {
      ctx: opened.challenge.ctx,
      resultSecret: null,
      enc: opened.challenge.enc,
      kind: body.kind,
      amount,
    };
    switch (body.kind) {
      case 'payment':
        return this.pay(body);
      case 'unlock': {
        const status = this.session.unlock(body);
        if (status === Status.OK) this.show(['Unlocked', 'Ready to pay']);
        return this.answer({ status });
      }
      case 'provision':
      case 'remove-card': {
        const status = body.kind === 'provision' ? this.wallet.add(body.card) : this.wallet.remove(body.cardRef);
        if (status !== Status.OK) return this.answer({ status });
        if (!this.store.commitWallet(this.wallet)) {
          // The write may or may not have landed: take the wallet back from flash.
          this.storageStatus = this.store.loadWallet(this.wallet);
          return this.answer({ status: Status.STORAGE_CORRUPT });
        }
        if (body.kind === 'provision') this.show(['Card added', body.card.issuer + ' ' + body.card.last4]);
        return this.answer({ status: Status.OK, cardCount: this.wallet.entries.length });
      }
      case 'wipe':
        return this.wipe();
      case 'find':
        ringToBeFound(this.hal, this);
        return this.answer({ status: Status.OK });
      case 'key-update':
        return this.updateKeys(e, body);
      default:
        this.pending = startIdentity(this, body, (a) => {
          this.pending = null;
          this.answer(a);
        });
    }
  }

  /**
   * The checkout's next keys, in a challenge signed by the key pinned now (PROTOCOL.md §8).
   * The band pins only the new keys from here on: its next hello, sealed to the new HPKE key,
   * tells the checkout which keys it holds even if this answer is lost on the way.
   */
  private updateKeys(e: Enrollment, ch: Extract<ChallengeBody, { kind: 'key-update' }>): void {
    if (!this.hal.se.isValidPublic(ch.signingKey) || !this.hal.se.isValidPublic(ch.hpkeKey))
      return this.answer({ status: Status.INVALID_KEY });
    if (ch.epoch <= e.keyEpoch) return this.answer({ status: Status.REPLAYED });
    const next: Enrollment = {
      checkoutSigningKey: ch.signingKey,
      checkoutHpkeKey: ch.hpkeKey,
      deviceId: e.deviceId,
      irk: e.irk,
      keyEpoch: ch.epoch,
    };
    if (!this.store.saveEnrollment(next)) {
      // The write may or may not have landed: pin whatever flash holds now.
      this.enrollment = this.store.loadEnrollment();
      return this.answer({ status: Status.STORAGE_CORRUPT });
    }
    this.enrollment = next;
    this.answer({ status: Status.OK });
  }

  private pay(ch: Extract<ChallengeBody, { kind: 'payment' }>): void {
    // Damaged flash may have lost a counter: never sign on a counter that could repeat.
    if (this.storageStatus !== Status.OK) return this.finishPayment(ch, { status: Status.STORAGE_CORRUPT });
    const state = this.session.current();
    const decision = decidePayment({
      challenge: ch,
      worn: state === WearState.WORN_LOCKED || state === WearState.WORN_UNLOCKED,
      unlocked: state === WearState.WORN_UNLOCKED,
      charging: this.hal.charger.isCharging(),
      wallet: this.wallet,
      limits: this.session.limits,
      day: Math.floor(this.hal.clock.wallMs() / DAY_MS),
    });
    if (!decision.allowed) return this.finishPayment(ch, { status: decision.status });
    // The card that will pay, on the display first (docs/FIRMWARE.md, "The card at the tap").
    const choices = decision.express ? [decision.entry] : this.wallet.choices(decision.entry);
    if (!decision.needsConfirmation && choices.length < 2) {
      showTap(this, ch, decision.entry, '');
      return this.finishPayment(ch, completePayment(this, ch, decision.entry, decision.express, false));
    }
    this.pending = new PendingConfirmation<PaymentOutcome>(
      this,
      (prompt, i) => showTap(this, ch, choices[i], prompt),
      choices.length,
      decision.needsConfirmation,
      (outcome) => {
        this.pending = null;
        this.finishPayment(ch, outcome);
      },
      (confirmed, i) => completePayment(this, ch, choices[i], false, confirmed),
    );
  }

  unlockedStatus(): StatusCode {
    const state = this.session.current();
    return state === WearState.WORN_UNLOCKED
      ? Status.OK
      : state === WearState.WORN_LOCKED
        ? Status.LOCKED
        : Status.NOT_WORN;
  }

  private finishPayment(ch: Extract<ChallengeBody, { kind: 'payment' }>, outcome: PaymentOutcome): void {
    if (outcome.status === Status.OK) {
      this.stats.signatures++;
      const entry = outcome.paidFrom as WalletEntry;
      // The amount signed, which a promotion may have lowered (offers.ts); the result shows it too.
      if (this.lastExchange !== null) this.lastExchange.amount = formatAmount(amountFor(ch, entry), ch.currency);
      showTap(this, ch, entry, 'Sent');
    } else {
      this.show(['Declined', formatAmount(ch.amount, ch.currency), statusLine(outcome.status)]);
    }
    this.answer({ status: outcome.status, token: outcome.token, balance: outcome.balance });
  }

  private wipe(): void {
    this.cancelPending();
    this.wallet.clear();
    const ok =
      this.store.commitWallet(this.wallet) &&
      this.store.saveEnrollment(null) &&
      wipeIdentity(this) &&
      this.store.compact();
    this.hal.se.erase(Slot.SIGNING);
    this.session.lock();
    this.enrollment = null;
    // The owner's bridges must not recognise the band any more: a key nobody holds.
    this.hal.radio.setIdentityKey(this.hal.random.bytes(16));
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
    // (ctx is null only once answered: a challenge gets one answer.)
    if (x === null || x.ctx === null) return this.refuseClear(body.status);
    const sealed = sealResponseWithSecret(
      this.provider,
      x.ctx.suite,
      responseSecret(x.ctx, ascii(Label.ANSWER)),
      x.enc,
      encodeAnswerBody(body),
    );
    x.resultSecret = responseSecret(x.ctx, ascii(Label.RESULT));
    x.ctx = null;
    this.link.sendMessage(encodeMessage({ type: 'answer', sealed }));
  }

  private onResult(sealed: Uint8Array): void {
    const x = this.lastExchange;
    if (x === null) return this.refuseClear(Status.MALFORMED);
    // A RESULT may come before the answer is sealed (the checkout can derive the key already).
    const secret = x.ctx !== null ? responseSecret(x.ctx, ascii(Label.RESULT)) : (x.resultSecret as Uint8Array);
    // The suite setupBaseR defaults to, as challenge-open.ts opens every challenge with.
    const opened = openResponseWithSecret(this.provider, SUITE_CHACHA20_POLY1305, secret, x.enc, sealed);
    if (!opened.ok) return this.refuseClear(opened.status);
    const r = decodeResultBody(opened.value);
    if (!r.ok) return this.refuseClear(r.status);
    this.lastExchange = null;
    this.show(resultLines(x.kind, x.amount, r.value.status));
    this.hal.haptics.buzz(r.value.status === Status.OK ? 80 : 400);
  }
}
