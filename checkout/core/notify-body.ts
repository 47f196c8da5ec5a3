/**
 * The merchant notification for a paid trade (Alipay's asynchronous notify). The body
 * is JSON, stored when the payment commits (in the same transaction), and signed when
 * sent: header `x-wristpay-signature` = base64url(ES256 by the checkout's signing key over
 * the exact body bytes), `x-wristpay-key-id` = base64url(checkoutKeyId). The merchant
 * verifies with the checkout signing key from GET /v1/checkout. ES256 rather than a
 * per-merchant HMAC: one public key serves every merchant and no shared secret exists
 * that the checkout could leak.
 */
import type { NotificationRow, PaymentRow, TradeRow } from '../store.ts';
import { toBase64Url } from '../api/base64url.ts';
import { type NotificationBody, NotifyHeader } from '../api/notification.ts';
import type { Ctx } from './context.ts';
import { newId } from './ids.ts';

export function buildNotification(ctx: Ctx, trade: TradeRow, payment: PaymentRow): NotificationRow {
  const id = newId(ctx.provider, 'ntf');
  const body: NotificationBody = {
    notifyId: id,
    notifyType: 'trade_status_sync',
    tradeNo: trade.tradeNo,
    outTradeNo: trade.outTradeNo,
    merchantId: trade.merchantId,
    tradeStatus: 'TRADE_SUCCESS',
    totalAmount: payment.amount,
    currency: payment.currency,
    method: payment.method,
    paidAt: payment.createdAt,
  };
  return {
    id,
    tradeNo: trade.tradeNo,
    url: trade.notifyUrl as string,
    body: JSON.stringify(body),
    attempts: 0,
    nextAt: payment.createdAt,
    deliveredAt: null,
    lastError: null,
    createdAt: payment.createdAt,
  };
}

export function signNotification(ctx: Ctx, body: string): Record<string, string> {
  const signature = ctx.provider.p256Sign(ctx.keys.signing, new TextEncoder().encode(body));
  return { [NotifyHeader.SIGNATURE]: toBase64Url(signature), [NotifyHeader.KEY_ID]: toBase64Url(ctx.keys.keyId) };
}
