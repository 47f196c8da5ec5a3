/**
 * The demo's promotion event, told right after the approved payment it applied to: the list
 * amount, the discount and what the card was charged (docs/CHECKOUT.md, "Promotions"), with
 * the points it earned. None when no promotion changed the payment.
 */
import type { ChargeReceipt } from '../../bridge/flows/receipt.ts';

export function promotionEvent(
  r: ChargeReceipt,
): [{ step: 'promotion'; outcome: 'ok'; [field: string]: unknown }, string] | null {
  const p = r.promotion;
  if (!p) return null;
  const money = (n: number) => `${r.currency} ${(n / 100).toFixed(2)}`;
  return [
    {
      step: 'promotion',
      outcome: 'ok',
      orderId: r.outTradeNo,
      amount: p.listAmount,
      discount: p.discount,
      charged: p.charged,
      currency: r.currency,
      points: p.points,
      label: p.label,
    },
    `${p.label ?? 'Points'}: ${money(p.listAmount)} list, ${money(p.discount)} off, card charged ${money(p.charged)}, +${p.points} points`,
  ];
}
