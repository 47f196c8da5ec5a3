/**
 * Trades in the style of Alipay's trade API: create (precreate), query, close, refund,
 * and the payment-password fallback. Idempotent by the merchant's order number
 * (outTradeNo) and by the refund number (outRequestNo). Terminals only ever see their
 * own merchant's trades: another merchant's order number is simply not found.
 */
import { Status } from '../../shared/status/codes.ts';
import type { CardRow, NotificationRow, PaymentCommit, PaymentRow, TerminalRow, TradeRow } from '../store.ts';
import { dayOf } from './config.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { newId } from './ids.ts';
import { observePayment } from './observer.ts';
import { PayPasswords } from './pay-password.ts';
import type { PasswordHasher } from './passwords.ts';
import { defaultCard } from './cards.ts';
import { buildNotification } from './notify-body.ts';
import { checkNotifyTarget } from './notify-target.ts';
import { MAX_TRADE_AMOUNT, isIsoCurrency } from './trade-terms.ts';
import {
  type PaymentView,
  type Receipt,
  type RefundView,
  type TradeView,
  paidCardView,
  paymentView,
  refundView,
  tradeView,
} from './views.ts';

export interface CreateTradeInput {
  outTradeNo: string;
  amount: number;
  currency: string;
  subject: string;
  notifyUrl?: string;
}
export interface RefundInput {
  outRequestNo: string;
  amount: number;
  reason?: string;
}
export interface TradeDetails {
  trade: TradeView;
  payment: PaymentView | null;
  refunds: RefundView[];
}

const ORDER_NO = /^[A-Za-z0-9_.-]{1,64}$/; // also claim 7 of the token: tstr ≤ 64

export class Trades {
  private readonly payPasswords: PayPasswords;

  constructor(
    private readonly ctx: Ctx,
    private readonly onPaid: () => void,
    passwords: PasswordHasher,
  ) {
    this.payPasswords = new PayPasswords(ctx, passwords);
  }

  async create(terminal: TerminalRow, input: CreateTradeInput): Promise<TradeView> {
    if (!ORDER_NO.test(input.outTradeNo)) refuse(Status.MALFORMED, 'outTradeNo: 1 to 64 of letters, digits and . _ -');
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0 || input.amount > MAX_TRADE_AMOUNT)
      refuse(Status.MALFORMED, 'amount: a positive integer of minor units');
    if (!isIsoCurrency(input.currency)) refuse(Status.MALFORMED, 'currency: an ISO 4217 code such as CNY');
    if (input.subject.length === 0 || input.subject.length > 128)
      refuse(Status.MALFORMED, 'subject: 1 to 128 characters');
    if (input.notifyUrl !== undefined) {
      const target = await checkNotifyTarget(input.notifyUrl, this.ctx.config.notify.allowHosts);
      if (!target.ok) refuse(target.malformed ? Status.MALFORMED : Status.FORBIDDEN, target.why);
    }
    const now = this.ctx.clock();
    const row: TradeRow = {
      tradeNo: newId(this.ctx.provider, 'trd'),
      merchantId: terminal.merchantId,
      terminalId: terminal.id,
      outTradeNo: input.outTradeNo,
      amount: input.amount,
      currency: input.currency,
      subject: input.subject,
      notifyUrl: input.notifyUrl ?? null,
      status: 'WAIT_BUYER_PAY',
      refundedAmount: 0,
      createdAt: now,
      paidAt: null,
      closedAt: null,
    };
    const { maxOpenTradesPerTerminal: maxOpen, tradeTtlMs } = this.ctx.config;
    const made = await this.ctx.store.ledger.createTrade(row, { maxOpen, openSince: now - tradeTtlMs });
    if (!made.ok) refuse(made.status, made.detail);
    const { trade, created } = made.value;
    if (!created && !sameTerms(trade, row))
      refuse(Status.CONFLICT, `outTradeNo ${input.outTradeNo} already names a trade with other terms`);
    return tradeView(trade);
  }

  /** TRADE_CLOSED unless the trade can still be paid: not paid, not closed, not past its timeout (which the sweep closes). */
  requirePayable(trade: TradeRow): void {
    if (trade.status !== 'WAIT_BUYER_PAY') refuse(Status.TRADE_CLOSED, `trade is ${trade.status}`);
    if (trade.createdAt + this.ctx.config.tradeTtlMs <= this.ctx.clock())
      refuse(Status.TRADE_CLOSED, 'trade expired unpaid');
  }

  /** The merchant's trade by order number; NOT_FOUND for another merchant's. */
  async find(terminal: TerminalRow, outTradeNo: string): Promise<TradeRow> {
    const trade = await this.ctx.store.ledger.trade(terminal.merchantId, outTradeNo);
    if (!trade) refuse(Status.NOT_FOUND, `no trade ${outTradeNo} for this merchant`);
    return trade;
  }

  async query(terminal: TerminalRow, outTradeNo: string): Promise<TradeDetails> {
    return this.details(await this.find(terminal, outTradeNo));
  }

  async details(trade: TradeRow): Promise<TradeDetails> {
    const { ledger, bands } = this.ctx.store;
    const payment = await ledger.payment(trade.tradeNo);
    const card = payment?.cardRef ? await bands.card(payment.cardRef) : undefined;
    return {
      trade: tradeView(trade),
      payment: payment ? paymentView(payment, card) : null,
      refunds: (await ledger.refunds(trade.tradeNo)).map(refundView),
    };
  }

  async close(terminal: TerminalRow, outTradeNo: string): Promise<TradeView> {
    const trade = await this.find(terminal, outTradeNo);
    if (trade.status === 'TRADE_CLOSED') return tradeView(trade); // closing twice is not an error
    const closed = await this.ctx.store.ledger.closeTrade(trade.tradeNo, this.ctx.clock());
    if (!closed.ok) refuse(closed.status, closed.detail);
    return tradeView(closed.value);
  }

  async refund(
    terminal: TerminalRow,
    outTradeNo: string,
    input: RefundInput,
  ): Promise<{ refund: RefundView; trade: TradeView; created: boolean }> {
    if (!ORDER_NO.test(input.outRequestNo))
      refuse(Status.MALFORMED, 'outRequestNo: 1 to 64 of letters, digits and . _ -');
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0)
      refuse(Status.MALFORMED, 'amount: a positive integer of minor units');
    const reason = input.reason ?? '';
    if (reason.length > 128) refuse(Status.MALFORMED, 'reason: at most 128 characters');
    const trade = await this.find(terminal, outTradeNo);
    const done = await this.ctx.store.ledger.commitRefund({
      refund: {
        id: newId(this.ctx.provider, 'rfd'),
        tradeNo: trade.tradeNo,
        outRequestNo: input.outRequestNo,
        amount: input.amount,
        reason,
        createdAt: this.ctx.clock(),
      },
      terminalIds: [terminal.id],
    });
    if (!done.ok) refuse(done.status, done.detail);
    return { refund: refundView(done.value.refund), trade: tradeView(done.value.trade), created: done.value.created };
  }

  /** The fallback when no band can sign: the payer types the six-digit payment password at the terminal. */
  payWithPassword(
    terminal: TerminalRow,
    outTradeNo: string,
    username: string,
    paymentPassword: string,
  ): Promise<Receipt> {
    return observePayment(
      this.ctx.observer,
      'password',
      performance.now(),
      this.verifyPasswordPayment(terminal, outTradeNo, username, paymentPassword),
    );
  }

  private async verifyPasswordPayment(
    terminal: TerminalRow,
    outTradeNo: string,
    username: string,
    paymentPassword: string,
  ): Promise<Receipt> {
    const trade = await this.find(terminal, outTradeNo);
    this.requirePayable(trade);
    const account = await this.payPasswords.check(terminal, username, paymentPassword);
    if (account.kind !== 'owner') refuse(Status.FORBIDDEN, 'merchant accounts do not pay');
    const card = await this.defaultCardOf(account.id, trade.currency);
    // The payer's default bank card pays, and only a trade of its own currency.
    if (card && card.currency !== trade.currency)
      refuse(Status.CURRENCY_MISMATCH, `a ${trade.currency} trade cannot be paid from a ${card.currency} card`);
    const now = this.ctx.clock();
    const payment: PaymentRow = {
      id: newId(this.ctx.provider, 'pay'),
      tradeNo: trade.tradeNo,
      accountId: account.id,
      deviceId: null,
      cardRef: card ? card.cardRef : null,
      amount: trade.amount,
      currency: trade.currency,
      method: 'password',
      counter: null,
      challengeId: null,
      day: dayOf(this.ctx.config, now),
      confirmed: true,
      createdAt: now,
    };
    const merchant = await this.ctx.store.accounts.byId(trade.merchantId);
    // No dayLimit: the password-free limits do not apply to a payment made with the password.
    return this.record(trade, merchant ? merchant.displayName : '', payment, card, { terminalIds: [terminal.id] });
  }

  /** Commits a verified payment and returns its receipt; used by the band path too. */
  async record(
    trade: TradeRow,
    merchantName: string,
    payment: PaymentRow,
    card: CardRow | undefined,
    extra: Omit<PaymentCommit, 'payment' | 'notification'>,
  ): Promise<Receipt> {
    const notification: NotificationRow | undefined = trade.notifyUrl
      ? buildNotification(this.ctx, trade, payment)
      : undefined;
    const done = await this.ctx.store.ledger.commitPayment({ ...extra, payment, notification });
    if (!done.ok) refuse(done.status, done.detail);
    if (notification) this.onPaid();
    return {
      tradeNo: trade.tradeNo,
      outTradeNo: trade.outTradeNo,
      merchantName,
      subject: trade.subject,
      amount: payment.amount,
      currency: payment.currency,
      method: payment.method,
      card: card ? paidCardView(card) : null,
      paidAt: payment.createdAt,
    };
  }

  /** The payer's default bank card in `currency`, else its default bank card (then refused for its currency). */
  private async defaultCardOf(accountId: string, currency: string): Promise<CardRow | undefined> {
    let other: CardRow | undefined;
    for (const band of await this.ctx.store.bands.byAccount(accountId)) {
      if (band.status !== 'active') continue;
      const cards = await this.ctx.store.bands.cards(band.deviceId);
      const pick = defaultCard(cards, 'bank', currency);
      if (pick) return pick;
      other = other ?? defaultCard(cards, 'bank');
    }
    return other;
  }
}

function sameTerms(a: TradeRow, b: TradeRow): boolean {
  return a.amount === b.amount && a.currency === b.currency && a.subject === b.subject && a.notifyUrl === b.notifyUrl;
}
