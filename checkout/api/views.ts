/**
 * The JSON shapes the checkout's API shows of its rows (docs/CHECKOUT.md): trades, payments,
 * refunds, bands, cards, terminals, accounts and merchant reports. They are the API's, so they
 * live here, beside the client, and the server's core builds them: the bridge imports
 * checkout/api and nothing of the server. Secrets (keys, hashes, HPKE exports) never appear.
 */

export type AccountKind = 'owner' | 'merchant';

export type BandStatus = 'active' | 'revoked' | 'wiped';

/** pending: challenge issued, band has not confirmed; removing: removal issued. */
export type CardState = 'pending' | 'active' | 'removing' | 'removed' | 'failed';

export type ChallengeKindName =
  | 'payment'
  | 'unlock'
  | 'provision'
  | 'remove-card'
  | 'wipe'
  | 'find'
  | 'key-update'
  | 'identity-register'
  | 'identity-assert';

/** Alipay's trade states. A full refund closes a paid trade, as Alipay does. */
export type TradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';

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
  state: CardState;
}

export interface BandView {
  deviceId: string;
  name: string;
  status: BandStatus;
  enrolledAt: number;
  revokedAt: number | null;
  wipedAt: number | null;
  unlockedAt: number | null;
  cards: CardView[];
}

/**
 * A band's last contact (finding a lost band): when one of its hellos last reached the
 * checkout, and the merchant and terminal that carried it; both null when none did (an unlock
 * through the owner's own bridge). Never a place: the checkout knows none.
 */
export interface LastSeenView {
  at: number;
  merchant: string | null;
  terminal: string | null;
  /** Percent charged, as the band said at that contact; null when it did not say. */
  battery: number | null;
}

/**
 * What the owner's "find my band" shows: the band, its last contact (null: never seen since
 * enrollment), and its ring request: asked at `ringRequestedAt` (null: none open), last rang at
 * `rangAt`.
 */
export interface FoundBandView {
  deviceId: string;
  name: string;
  status: BandStatus;
  lastSeen: LastSeenView | null;
  ringRequestedAt: number | null;
  rangAt: number | null;
}

/**
 * The card a payment was drawn on, as receipts, trade views and the bridge show it: what the band
 * showed at the tap (docs/FIRMWARE.md, "The card at the tap"), never the token reference.
 */
export interface PaidCardView {
  kind: 'bank' | 'transit';
  issuer: string;
  last4: string;
  /** Transit cards: the city. */
  city: string | null;
}

export interface PaymentView {
  paymentId: string;
  tradeNo: string;
  amount: number;
  currency: string;
  method: 'band' | 'password';
  deviceId: string | null;
  card: PaidCardView | null;
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
  status: TradeStatus;
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
  card: PaidCardView | null;
  paidAt: number;
  /** Band payments: the verified token and the key that verifies it, so anyone can check the receipt. */
  evidence?: PaymentEvidence;
  /** A promotion changed the payment: `amount` above is the list amount, `charged` what the card paid. */
  promotion?: PromotionReceipt;
}

/** What a promotion did to a payment, in minor units of the receipt's currency; points earned on the card. */
export interface PromotionReceipt {
  listAmount: number;
  discount: number;
  charged: number;
  points: number;
  label: string | null;
}

/** A band payment's proof: the COSE_Sign1 token (base64url) and the band's signing key as a JWK. */
export interface PaymentEvidence {
  token: string;
  deviceKey: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  counter: number;
  confirmed: boolean;
  express: boolean;
}

export interface SaleView {
  tradeNo: string;
  outTradeNo: string;
  terminalId: string;
  terminalName: string;
  subject: string;
  amount: number;
  currency: string;
  method: 'band' | 'password';
  status: TradeStatus;
  refundedAmount: number;
  paidAt: number;
}

export interface MerchantRefundView {
  refundId: string;
  tradeNo: string;
  outTradeNo: string;
  outRequestNo: string;
  terminalId: string;
  amount: number;
  currency: string;
  reason: string;
  createdAt: number;
}

/** `date`: YYYY-MM-DD in the checkout's time zone (config.dayOffsetMinutes). */
export interface DayTotalView {
  date: string;
  currency: string;
  sales: number;
  count: number;
  refunds: number;
}

/** `state`: active, or unpaired (kept for the ledger's history; it can never sign again). */
export interface TerminalView {
  terminalId: string;
  merchantId: string;
  merchantName: string;
  name: string;
  createdAt: number;
  state: 'active' | 'unpaired';
  unpairedAt: number | null;
  /** When wrong payment passwords for several payers suspended it (core/pay-password.ts); null while it may sign. */
  suspendedAt: number | null;
}

export interface AccountView {
  id: string;
  username: string;
  kind: AccountKind;
  displayName: string;
  limitPerPayment: number;
  limitPerDay: number;
  hasPaymentPassword: boolean;
  /** Too many wrong payment passwords: refused until the owner unblocks it with the account password. */
  paymentPasswordBlocked: boolean;
}

/** A card's points balance, for its owner (GET /v1/rewards). */
export interface RewardBalanceView {
  cardRef: string;
  issuer: string;
  last4: string;
  points: number;
}
/** What one promotion did to one of the owner's payments, and what refunds have reversed of it. */
export interface PromotionUseView {
  tradeNo: string;
  /** The paying card's (every amount below is in it). */
  currency: string;
  label: string | null;
  listAmount: number;
  discount: number;
  charged: number;
  points: number;
  discountReversed: number;
  pointsReversed: number;
  paidAt: number;
}
export interface RewardsView {
  balances: RewardBalanceView[];
  uses: PromotionUseView[];
}
