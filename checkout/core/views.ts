/**
 * What the checkout shows of its rows over the API: the JSON shapes of trades,
 * payments, refunds, bands and cards. Secrets (keys, hashes, HPKE exports) never leave.
 */
import type { BandRow, CardRow, PaymentRow, RefundRow, TradeRow } from '../store.ts';

export interface CardView {
  cardRef: string;
  kind: 'bank' | 'transit';
  issuer: string;
  last4: string;
  isDefault: boolean;
  city: string | null;
  currency: string;
  balance: number | null;
  fareCap: number | null;
  state: CardRow['state'];
}
export interface BandView {
  deviceId: string;
  name: string;
  status: BandRow['status'];
  enrolledAt: number;
  revokedAt: number | null;
  wipedAt: number | null;
  unlockedAt: number | null;
  cards: CardView[];
}
export interface PaymentView {
  paymentId: string;
  tradeNo: string;
  amount: number;
  currency: string;
  method: 'band' | 'password';
  deviceId: string | null;
  card: { issuer: string; last4: string } | null;
  paidAt: number;
}
/** A payment in its payer's list (GET /v1/payments, the dashboard): with the merchant it paid. */
export interface OwnerPaymentView extends PaymentView {
  merchantName: string;
}
export interface RefundView {
  refundId: string;
  tradeNo: string;
  outRequestNo: string;
  amount: number;
  reason: string;
  createdAt: number;
}
export interface TradeView {
  tradeNo: string;
  outTradeNo: string;
  merchantId: string;
  terminalId: string;
  amount: number;
  currency: string;
  subject: string;
  notifyUrl: string | null;
  status: TradeRow['status'];
  refundedAmount: number;
  createdAt: number;
  paidAt: number | null;
  closedAt: number | null;
}
/** What the payer and the merchant get back for a completed payment. */
export interface Receipt {
  tradeNo: string;
  outTradeNo: string;
  merchantName: string;
  subject: string;
  amount: number;
  currency: string;
  method: 'band' | 'password';
  card: { issuer: string; last4: string } | null;
  paidAt: number;
  /** Band payments: the verified token and the key that verifies it, so anyone can check the receipt. */
  evidence?: PaymentEvidence;
}

/** A band payment's proof: the COSE_Sign1 token (base64url) and the band's signing key as a JWK. */
export interface PaymentEvidence {
  token: string;
  deviceKey: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  counter: number;
  confirmed: boolean;
  express: boolean;
}

/** The JWK (RFC 7518 §6.2.1) of an uncompressed P-256 public key. */
export function p256Jwk(publicKey: Uint8Array): PaymentEvidence['deviceKey'] {
  // A view, not a copy: Buffer.from(bytes) copies into Node's pool, and refilling the pool
  // showed up in the payment profile (every band payment's receipt carries this key).
  const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');
  return { kty: 'EC', crv: 'P-256', x: b64(publicKey.subarray(1, 33)), y: b64(publicKey.subarray(33, 65)) };
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
    card: card ? { issuer: card.issuer, last4: card.last4 } : null,
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
