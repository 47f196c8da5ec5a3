/**
 * The merchant notification on the wire (core/notify-body.ts builds and signs it, the
 * merchant checks it with client.ts verifyNotification): its JSON body and its headers.
 */
export interface NotificationBody {
  notifyId: string;
  notifyType: 'trade_status_sync';
  tradeNo: string;
  outTradeNo: string;
  merchantId: string;
  tradeStatus: 'TRADE_SUCCESS';
  totalAmount: number;
  currency: string;
  method: 'band' | 'password';
  paidAt: number;
}

export const NotifyHeader = { SIGNATURE: 'x-wristpay-signature', KEY_ID: 'x-wristpay-key-id' } as const;
