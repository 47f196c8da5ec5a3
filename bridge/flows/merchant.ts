/**
 * The merchant's other flows: the password fallback for an open trade, refunds, and
 * looking a trade up. All terminal-signed; no radio.
 */
import { Status } from '../../shared/status/codes.ts';
import type { Api, CheckoutClient } from '../../checkout/api/client.ts';
import { type ChargeReceipt, receiptOf } from './receipt.ts';
import { type Outcome, attempt, ok, refusal } from './outcome.ts';

/** Pays an open trade with the payer's username and six-digit payment password. */
export async function payWithPassword(
  terminal: CheckoutClient,
  outTradeNo: string,
  username: string,
  paymentPassword: string,
): Promise<Outcome<ChargeReceipt>> {
  const r = await attempt('checkout', () => terminal.payWithPassword(outTradeNo, username, paymentPassword));
  return r.ok ? ok(receiptOf(r.value.receipt)) : r;
}

export interface RefundOptions {
  /** Minor units; default: whatever of the payment is not refunded yet. */
  amount?: number;
  /** The merchant's refund request number (idempotency key); default: a fresh one. */
  outRequestNo?: string;
  reason?: string;
}

export interface RefundResult {
  outTradeNo: string;
  outRequestNo: string;
  amount: number;
  currency: string;
  refundedAmount: number;
  tradeStatus: Api.TradeView['status'];
  created: boolean;
}

export async function refund(
  terminal: CheckoutClient,
  outTradeNo: string,
  opts: RefundOptions = {},
): Promise<Outcome<RefundResult>> {
  let amount = opts.amount;
  if (amount === undefined) {
    const t = await attempt('checkout', () => terminal.queryTrade(outTradeNo));
    if (!t.ok) return t;
    amount = t.value.trade.amount - t.value.trade.refundedAmount;
    if (!t.value.payment)
      return refusal(Status.TRADE_NOT_PAID, 'checkout', 'the trade has not been paid; nothing to refund');
    if (amount <= 0) return refusal(Status.REFUND_EXCEEDS_PAID, 'checkout', 'the trade is already fully refunded');
  }
  const outRequestNo = opts.outRequestNo ?? `rf-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const r = await attempt('checkout', () =>
    terminal.refund(outTradeNo, { outRequestNo, amount: amount as number, reason: opts.reason }),
  );
  if (!r.ok) return r;
  return ok({
    outTradeNo,
    outRequestNo,
    amount: r.value.refund.amount,
    currency: r.value.trade.currency,
    refundedAmount: r.value.trade.refundedAmount,
    tradeStatus: r.value.trade.status,
    created: r.value.created,
  });
}
