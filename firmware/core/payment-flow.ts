/**
 * One payment from decided to answered: the optional button confirmation (display,
 * haptics, KEEPALIVE every interval, a hard time-out), then the counter commit to flash
 * and only then the signature (docs/FIRMWARE.md, "Limits and payments": the counter is
 * committed to flash before the token is signed, so a counter never repeats).
 */
import { signToken, type TokenClaims } from '../../shared/cose/token.ts';
import type { PaymentChallenge } from '../../shared/messages/bodies.ts';
import { TokenFlag } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { BandConfig } from '../config.ts';
import { type Hal, Slot } from '../hal.ts';
import type { BandStore } from './band-store.ts';
import { formatAmount } from './display-text.ts';
import type { Link } from './link.ts';
import { amountFor } from './offers.ts';
import { DAY_MS, type Wallet, type WalletEntry } from './wallet.ts';

export interface PaymentOutcome {
  status: StatusCode;
  token?: Uint8Array;
  balance?: number;
  /** The card that paid (a signed payment only). */
  paidFrom?: WalletEntry;
}

/** What a payment needs from the band (the band itself: no per-payment adapter object). */
export interface PaymentContext {
  readonly hal: Hal;
  readonly config: BandConfig;
  readonly store: BandStore;
  readonly wallet: Wallet;
  /** Carries the KEEPALIVEs while waiting for the button. */
  readonly link: Link;
  /** OK while worn-unlocked, else LOCKED or NOT_WORN (the state may change while waiting). */
  unlockedStatus(): StatusCode;
  show(lines: string[]): void;
}

/**
 * The tap screen (docs/FIRMWARE.md, "The card at the tap"): the amount, the merchant's verified
 * name, the card (its issuer cut to leave room for the token's last 4; the band cuts every line
 * to the display's width), then `prompt` or, with none, the card's kind (transit: its city and
 * stored balance).
 */
export function showTap(ctx: PaymentContext, ch: PaymentChallenge, entry: WalletEntry, prompt: string): void {
  const card = entry.card;
  ctx.show([
    formatAmount(amountFor(ch, entry), ch.currency),
    ch.merchantName,
    card.issuer.substring(0, ctx.hal.display.columns - 5) + ' ' + card.last4,
    prompt || (card.kind === 'transit' ? formatAmount(card.balance, card.city) : 'Bank card'),
  ]);
}

/**
 * Waiting for the button, with one hard time-out and KEEPALIVE every interval, for a payment at
 * the tap (docs/FIRMWARE.md, "The card at the tap") or an identity ceremony (core/identity.ts).
 * With more than one `choices` it first runs the switch window (KEEPALIVE `PROCESSING`): each
 * press shows the next choice and restarts the window; when the window passes without a press
 * the choice shown is taken, at once unless `needsConfirmation`. Then (or from the start, with
 * one choice) it waits for the press that confirms (`CONFIRMATION_REQUIRED`). `screen` draws a
 * choice with a prompt; `action` runs while worn and unlocked, else the wait ends with the
 * state's status.
 */
export class PendingConfirmation<T extends { status: StatusCode }> {
  private keepaliveTimer = -1;
  private timeoutTimer = -1;
  private windowTimer = -1;
  private readonly deadline: number;
  private finished = false;
  /** Which choice the display shows. */
  private shown = 0;
  private confirming = false;

  constructor(
    private readonly ctx: PaymentContext,
    private readonly screen: (prompt: string, choice: number) => void,
    private readonly choices: number,
    private readonly needsConfirmation: boolean,
    private readonly done: (outcome: T) => void,
    private readonly action: (confirmed: boolean, choice: number) => T,
  ) {
    const clock = ctx.hal.clock;
    this.deadline = clock.monotonicMs() + ctx.config.confirmTimeoutMs;
    const tick = (): void => {
      const remaining = this.deadline - clock.monotonicMs();
      ctx.link.sendKeepalive(
        this.confirming ? Status.CONFIRMATION_REQUIRED : Status.PROCESSING,
        remaining > 0 ? remaining : 0,
      );
      this.keepaliveTimer = clock.setTimer(ctx.config.keepaliveIntervalMs, tick);
    };
    this.timeoutTimer = clock.setTimer(ctx.config.confirmTimeoutMs, () =>
      this.finish({ status: Status.CONFIRMATION_TIMEOUT } as T),
    );
    if (choices > 1) {
      ctx.hal.haptics.buzz(200);
      this.switchTo(0);
    } else this.confirm();
    tick();
  }

  press(): void {
    if (this.finished) return;
    if (this.confirming) return this.take(true, this.ctx.unlockedStatus());
    this.switchTo((this.shown + 1) % this.choices);
  }

  /** Shows choice `i` and (re)starts the window: it ends only after a quiet switchWindowMs. */
  private switchTo(i: number): void {
    this.shown = i;
    this.screen('Press: next card', i);
    const clock = this.ctx.hal.clock;
    clock.cancelTimer(this.windowTimer);
    this.windowTimer = clock.setTimer(this.ctx.config.switchWindowMs, () => {
      if (this.needsConfirmation) return this.confirm();
      // Taken off in the window's last moments: the removal is not confirmed yet (debounce),
      // but the skin contact is gone now, and a band that is not worn never pays.
      this.take(false, this.ctx.hal.wear.current() ? this.ctx.unlockedStatus() : Status.NOT_WORN);
    });
  }

  private confirm(): void {
    this.confirming = true;
    this.screen('Press to confirm', this.shown);
    this.ctx.hal.haptics.buzz(200);
  }

  /** Runs the action on the choice shown when `allowed` is OK, else ends with it. */
  private take(confirmed: boolean, allowed: StatusCode): void {
    this.finish(allowed === Status.OK ? this.action(confirmed, this.shown) : ({ status: allowed } as T));
  }

  /** Ends the wait with `outcome`; also how the band aborts it (session ended, host gone). Once only. */
  finish(outcome: T): void {
    if (this.finished) return;
    this.finished = true;
    const clock = this.ctx.hal.clock;
    clock.cancelTimer(this.keepaliveTimer);
    clock.cancelTimer(this.timeoutTimer);
    clock.cancelTimer(this.windowTimer);
    this.done(outcome);
  }
}

/** Commits the counter (and day total or transit balance), then signs. */
export function completePayment(
  ctx: PaymentContext,
  ch: PaymentChallenge,
  entry: WalletEntry,
  express: boolean,
  confirmed: boolean,
): PaymentOutcome {
  const now = ctx.hal.clock.wallMs();
  const amount = amountFor(ch, entry);
  const day = Math.floor(now / DAY_MS);
  const before = {
    counter: entry.counter,
    day: ctx.wallet.dayTotal.day,
    total: ctx.wallet.dayTotal.total,
    balance: entry.card.kind === 'transit' ? entry.card.balance : 0,
  };
  entry.counter += 1;
  if (express && entry.card.kind === 'transit') entry.card.balance -= amount;
  // The day's password-free total counts what was paid without the button.
  if (!express && !confirmed) ctx.wallet.dayTotal = { day, total: ctx.wallet.spentOn(day) + amount };
  if (!ctx.store.commitLedger(ctx.wallet)) {
    entry.counter = before.counter;
    ctx.wallet.dayTotal = { day: before.day, total: before.total };
    if (entry.card.kind === 'transit') entry.card.balance = before.balance;
    return { status: Status.STORAGE_CORRUPT };
  }
  // Flags state what held when signing: an express fare may be signed while locked.
  let flags: number = TokenFlag.WORN;
  if (ctx.unlockedStatus() === Status.OK) flags |= TokenFlag.UNLOCKED;
  if (confirmed) flags |= TokenFlag.CONFIRMED;
  if (express) flags |= TokenFlag.EXPRESS;
  const claims: TokenClaims = {
    // The challenge's device id was checked to be this band's (challenge-open.ts).
    deviceId: ch.deviceId,
    cardRef: entry.card.cardRef,
    amount,
    currency: ch.currency,
    merchantId: ch.merchantId,
    terminalId: ch.terminalId,
    orderId: ch.orderId,
    checkoutNonce: ch.nonce,
    counter: entry.counter,
    time: Math.floor(now / 1000), // seconds, like CWT's NumericDate
    flags,
  };
  const se = ctx.hal.se;
  const token = signToken(claims, (tbs) => {
    const sig = se.sign(Slot.SIGNING, tbs);
    if (sig === null) throw new Error('signing slot empty');
    return sig;
  });
  const outcome: PaymentOutcome = { status: Status.OK, token, paidFrom: entry };
  if (express && entry.card.kind === 'transit') outcome.balance = entry.card.balance;
  return outcome;
}
