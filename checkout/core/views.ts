/**
 * What the checkout shows of its rows over the API: the JSON shapes of trades,
 * payments, refunds, bands and cards. Secrets (keys, hashes, HPKE exports) never leave.
 */
import type { BandRow, CardRow, PaymentRow, RefundRow, TradeRow } from '../store.ts';
import type {
  CardView,
  BandView,
  PaymentView,
  OwnerPaymentView,
  RefundView,
  TradeView,
  Receipt,
  PaymentEvidence,
  PaidCardView,
} from '../api/views.ts';

export type { CardView, BandView, PaymentView, OwnerPaymentView, RefundView, TradeView, Receipt, PaymentEvidence };

/** The JWK (RFC 7518 §6.2.1) of an uncompressed P-256 public key. */
export function p256Jwk(publicKey: Uint8Array): PaymentEvidence['deviceKey'] {
  // A view, not a copy: Buffer.from(bytes) copies into Node's pool, and refilling the pool
  // showed up in the payment profile (every band payment's receipt carries this key).
  const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
  return { kty: 'EC', crv: 'P-256', x: b64(publicKey.subarray(1, 33)), y: b64(publicKey.subarray(33, 65)) };
}

export function paidCardView(c: CardRow): PaidCardView {
  return { kind: c.kind, issuer: c.issuer, last4: c.last4, city: c.city };
}

export function cardView(c: CardRow): CardView {
  const transit = c.kind === 'transit';
  return {
    cardRef: c.cardRef,
    kind: c.kind,
    issuer: c.issuer,
    last4: c.last4,
    isDefault: c.isDefault,
    city: c.city,
    currency: c.currency,
    balance: transit ? c.balance : null,
    fareCap: transit ? c.fareCap : null,
    state: c.state,
  };
}

export function bandView(b: BandRow, cards: CardRow[]): BandView {
  return {
    deviceId: b.deviceId,
    name: b.name,
    status: b.status,
    enrolledAt: b.enrolledAt,
    revokedAt: b.revokedAt,
    wipedAt: b.wipedAt,
    unlockedAt: b.unlockedAt,
    cards: cards.filter((c) => c.state !== 'removed').map(cardView),
  };
}

export function tradeView(t: TradeRow): TradeView {
  return {
    tradeNo: t.tradeNo,
    outTradeNo: t.outTradeNo,
    merchantId: t.merchantId,
    terminalId: t.terminalId,
    amount: t.amount,
    currency: t.currency,
    subject: t.subject,
    notifyUrl: t.notifyUrl,
    status: t.status,
    refundedAmount: t.refundedAmount,
    createdAt: t.createdAt,
    paidAt: t.paidAt,
    closedAt: t.closedAt,
  };
}

export function paymentView(p: PaymentRow, card: CardRow | undefined): PaymentView {
  return {
    paymentId: p.id,
    tradeNo: p.tradeNo,
    amount: p.amount,
    currency: p.currency,
    method: p.method,
    deviceId: p.deviceId,
    card: card ? paidCardView(card) : null,
    paidAt: p.createdAt,
  };
}

export function refundView(r: RefundRow): RefundView {
  return {
    refundId: r.id,
    tradeNo: r.tradeNo,
    outRequestNo: r.outRequestNo,
    amount: r.amount,
    reason: r.reason,
    createdAt: r.createdAt,
  };
}

/** "12.34 CNY" — minor units shown with two decimals (JPY-style zero-decimal currencies aside). */
export function formatAmount(amount: number, currency: string): string {
  return `${decimalAmount(amount, currency)} ${currency}`;
}

/** "12.34" — the amount alone, as a spreadsheet reads it (the CSV export). */
export function decimalAmount(amount: number, currency: string): string {
  const zeroDecimal = currency === 'JPY' || currency === 'KRW';
  return zeroDecimal ? String(amount) : (amount / 100).toFixed(2);
}
