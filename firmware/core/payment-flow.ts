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
import type { Link } from './link.ts';
import { amountFor } from './offers.ts';
import { DAY_MS, type Wallet, type WalletEntry } from './wallet.ts';

export interface PaymentOutcome {
  status: StatusCode;
  token?: Uint8Array;
  balance?: number;
  /** What the token signed (amountFor): the band shows it after the payment. */
  amount?: number;
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
 * Waiting for the button: `lines` on the display, a buzz, KEEPALIVE every interval, and a hard
 * time-out. A press while worn and unlocked runs `action` (a payment's signature, or an identity
 * ceremony's: core/identity.ts); otherwise the wait ends with the state's status.
 */
export class PendingConfirmation<T extends { status: StatusCode }> {
  private keepaliveTimer = -1;
  private timeoutTimer = -1;
  private readonly deadline: number;
  private finished = false;

  constructor(
    private readonly ctx: PaymentContext,
    lines: string[],
    private readonly done: (outcome: T) => void,
    private readonly action: () => T,
  ) {
    const clock = ctx.hal.clock;
    this.deadline = clock.monotonicMs() + ctx.config.confirmTimeoutMs;
    ctx.show(lines);
    ctx.hal.haptics.buzz(200);
    ctx.link.sendKeepalive(Status.CONFIRMATION_REQUIRED, ctx.config.confirmTimeoutMs);
    const tick = (): void => {
      const remaining = this.deadline - clock.monotonicMs();
      ctx.link.sendKeepalive(Status.CONFIRMATION_REQUIRED, remaining > 0 ? remaining : 0);
      this.keepaliveTimer = clock.setTimer(ctx.config.keepaliveIntervalMs, tick);
    };
    this.keepaliveTimer = clock.setTimer(ctx.config.keepaliveIntervalMs, tick);
    this.timeoutTimer = clock.setTimer(ctx.config.confirmTimeoutMs, () =>
      this.finish({ status: Status.CONFIRMATION_TIMEOUT } as T),
    );
  }

  press(): void {
    if (this.finished) return;
    const allowed = this.ctx.unlockedStatus();
    this.finish(allowed === Status.OK ? this.action() : ({ status: allowed } as T));
  }

  /** Ends the wait with `outcome`; also how the band aborts it (session ended, host gone). Once only. */
  finish(outcome: T): void {
    if (this.finished) return;
    this.finished = true;
    this.ctx.hal.clock.cancelTimer(this.keepaliveTimer);
    this.ctx.hal.clock.cancelTimer(this.timeoutTimer);
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
  const day = Math.floor(now / DAY_MS);
  const amount = amountFor(ch, entry);
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
  const outcome: PaymentOutcome = { status: Status.OK, token, amount };
  if (express && entry.card.kind === 'transit') outcome.balance = entry.card.balance;
  return outcome;
}
