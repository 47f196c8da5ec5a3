/**
 * The rows the checkout keeps: accounts, bands, cards, challenges, terminals, trades,
 * payments, refunds and notifications, as the store (store.ts) reads and writes them. The
 * state names they share with the API's views are the API's (api/views.ts).
 */
import type { AccountKind, BandStatus, CardState, ChallengeKindName, TradeStatus } from './api/views.ts';

export type { AccountKind, BandStatus, CardState, ChallengeKindName, TradeStatus };

export interface AccountRow {
  id: string;
  username: string;
  kind: AccountKind;
  displayName: string;
  passwordHash: Uint8Array;
  passwordSalt: Uint8Array;
  payHash: Uint8Array | null;
  paySalt: Uint8Array | null;
  limitPerPayment: number;
  limitPerDay: number;
  createdAt: number;
}

export interface SessionRow {
  tokenHash: Uint8Array;
  accountId: string;
  csrf: string;
  expiresAt: number;
  createdAt: number;
}
export interface EnrollOfferRow {
  id: string;
  accountId: string;
  nonce: Uint8Array;
  expiresAt: number;
}

export interface BandRow {
  deviceId: string;
  accountId: string;
  name: string;
  signingKey: Uint8Array;
  hpkeKey: Uint8Array;
  status: BandStatus;
  enrolledAt: number;
  revokedAt: number | null;
  wipedAt: number | null;
  unlockedAt: number | null;
  /** The id of the checkout key pair the band holds (key ring, PROTOCOL.md §8). */
  checkoutKey: number;
  /** The last time a hello of the band opened here (core/last-seen.ts); null: never since enrollment. */
  lastSeenAt: number | null;
  /** The terminal that carried that hello; null when none did (an unlock through the owner's bridge). */
  lastSeenTerminal: string | null;
  /** Percent charged, as that hello said; null when it said nothing (hardware without a gauge). */
  lastSeenBattery: number | null;
  /** The owner asked it to ring at its next contact (core/find-band.ts); null: no request open. */
  findRequestedAt: number | null;
  /** The last time it answered a ring request. */
  rangAt: number | null;
}

export interface CardRow {
  cardRef: string;
  deviceId: string;
  kind: 'bank' | 'transit';
  issuerId: string;
  issuer: string;
  last4: string;
  isDefault: boolean;
  city: string | null;
  currency: string;
  balance: number;
  fareCap: number;
  state: CardState;
  lastCounter: number;
  createdAt: number;
}

export interface ChallengeRow {
  id: string;
  deviceId: string;
  kind: ChallengeKindName;
  nonce: Uint8Array;
  expiresAt: number;
  tradeNo: string | null;
  terminalId: string | null;
  cardRef: string | null;
  express: boolean;
  /** HPKE encapsulated key: the salt of the RFC 9458 response keys. */
  enc: Uint8Array;
  /** Export("wristpay/1 answer", 32) of the challenge's HPKE context. */
  answerSecret: Uint8Array;
  /** Export("wristpay/1 result", 32) of the same context. */
  resultSecret: Uint8Array;
  createdAt: number;
  answeredAt: number | null;
  outcome: number | null;
  /**
   * A payment challenge's promotion terms per card (JSON of core/promotion-pricing.ts CardTerms[]):
   * what its answer applies, whatever the promotions say by then. Null or absent: none.
   */
  terms?: string | null;
}

export interface PairingCodeRow {
  code: string;
  merchantId: string;
  expiresAt: number;
  usedAt: number | null;
}
export interface TerminalRow {
  id: string;
  merchantId: string;
  name: string;
  publicKey: Uint8Array;
  createdAt: number;
  /** Set once when its merchant unpairs it; from then on every signed request is refused. */
  unpairedAt: number | null;
  /** Set when failed payment passwords across payers suspended it (AttemptStore); its signed requests are refused. */
  suspendedAt: number | null;
}

export interface TradeRow {
  tradeNo: string;
  merchantId: string;
  terminalId: string;
  outTradeNo: string;
  amount: number;
  currency: string;
  subject: string;
  notifyUrl: string | null;
  status: TradeStatus;
  refundedAmount: number;
  createdAt: number;
  paidAt: number | null;
  closedAt: number | null;
}

export interface PaymentRow {
  id: string;
  tradeNo: string;
  accountId: string;
  deviceId: string | null;
  cardRef: string | null;
  amount: number;
  currency: string;
  method: 'band' | 'password';
  counter: number | null;
  challengeId: string | null;
  /** Day number (local day of the configured time zone) the payment counts against. */
  day: number;
  confirmed: boolean;
  createdAt: number;
}

export interface RefundRow {
  id: string;
  tradeNo: string;
  outRequestNo: string;
  amount: number;
  reason: string;
  createdAt: number;
}

export interface NotificationRow {
  id: string;
  tradeNo: string;
  url: string;
  body: string;
  attempts: number;
  nextAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  createdAt: number;
}

/** One key pair of the checkout's key ring (PROTOCOL.md §8); a retired one has no private halves left. */
export interface CheckoutKeyRow {
  id: number;
  signing: Uint8Array | null;
  hpke: Uint8Array | null;
  state: 'active' | 'previous' | 'retired';
  createdAt: number;
  retiredAt: number | null;
}
