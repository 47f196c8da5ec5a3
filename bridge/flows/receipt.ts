/** The receipt a paid charge returns: the checkout's receipt as the shell shows and prints it. */
import type { Api } from '../../checkout/api/client.ts';

export interface ChargeReceipt {
  outTradeNo: string;
  tradeNo: string;
  amount: number;
  currency: string;
  status: 'TRADE_SUCCESS';
  method: 'band' | 'password';
  merchantName: string;
  subject: string;
  /** The card that paid, as the band showed it at the tap. */
  card: Api.PaidCardView | null;
  paidAt: number;
  /** Band payments: the token and the band's key (JWK) that verifies it. */
  evidence?: Api.Receipt['evidence'];
  /** A promotion changed the payment: list amount (= amount), discount, charged, points. */
  promotion?: Api.PromotionReceipt;
}

export function receiptOf(r: Api.Receipt): ChargeReceipt {
  return {
    outTradeNo: r.outTradeNo,
    tradeNo: r.tradeNo,
    amount: r.amount,
    currency: r.currency,
    status: 'TRADE_SUCCESS',
    method: r.method,
    merchantName: r.merchantName,
    subject: r.subject,
    card: r.card,
    paidAt: r.paidAt,
    ...(r.evidence ? { evidence: r.evidence } : {}),
    ...(r.promotion ? { promotion: r.promotion } : {}),
  };
}

/** The card that paid in one line: "ICBC ••••1234 (bank)", "Octopus ••••0007 (transit, Hong Kong)". */
export function paidCardText(c: Api.PaidCardView): string {
  return `${c.issuer} ••••${c.last4} (${c.kind}${c.city ? `, ${c.city}` : ''})`;
}
