/**
 * Charging an order number again (after a time-out, a crash, a double click) must not charge
 * twice and must not look like a decline either: the checkout keeps one trade per order
 * number, so a trade that is no longer open is looked up. Paid → the original receipt,
 * marked `alreadyPaid`; closed unpaid → declined TRADE_CLOSED, as before.
 */
import { Status } from '../../shared/status/codes.ts';
import type { CheckoutClient } from '../../checkout/api/client.ts';
import type { ChargeReceipt } from './receipt.ts';
import { type Refusal, refusal, refusalOf } from './outcome.ts';

export type Settled = { ok: true; receipt: ChargeReceipt } | { ok: false; refusal: Refusal };

/**
 * The trade behind `orderId`, which is no longer payable. The receipt is rebuilt from the
 * trade and its payment; it carries no `evidence`: the checkout does not keep the band's
 * token, and hands it out once, with the first receipt.
 */
export async function settledTrade(terminal: CheckoutClient, orderId: string, merchantName: string): Promise<Settled> {
  let details;
  try {
    details = await terminal.queryTrade(orderId);
  } catch (e) {
    return { ok: false, refusal: refusalOf(e, 'checkout') };
  }
  const { trade, payment } = details;
  if (!payment)
    return {
      ok: false,
      refusal: refusal(
        Status.TRADE_CLOSED,
        'checkout',
        `order ${orderId} was closed unpaid; charge it under a new --order`,
      ),
    };
  return {
    ok: true,
    receipt: {
      outTradeNo: trade.outTradeNo,
      tradeNo: trade.tradeNo,
      amount: payment.amount,
      currency: payment.currency,
      status: 'TRADE_SUCCESS',
      method: payment.method,
      merchantName,
      subject: trade.subject,
      card: payment.card,
      paidAt: payment.paidAt,
    },
  };
}
