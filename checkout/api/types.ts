/**
 * JSON shapes of the checkout's HTTP API (docs/CHECKOUT.md), shared by the server and
 * the client so the two cannot drift. Binary protocol messages travel as base64url
 * strings (no padding); amounts are integer minor units; times are epoch milliseconds.
 */
import type { Issuer, TransitCity } from './catalogue.ts';
import type { IdentityAnswerJson } from './identity-types.ts';
import type {
  AccountView,
  BandView,
  CardView,
  ChallengeKindName,
  DayTotalView,
  FoundBandView,
  LastSeenView,
  MerchantRefundView,
  OwnerPaymentView,
  PaidCardView,
  PaymentView,
  PromotionReceipt,
  Receipt,
  RefundView,
  RewardsView,
  SaleView,
  TerminalView,
  TradeView,
} from './views.ts';

export type {
  AccountView,
  BandView,
  CardView,
  DayTotalView,
  FoundBandView,
  Issuer,
  LastSeenView,
  MerchantRefundView,
  OwnerPaymentView,
  PaidCardView,
  PaymentView,
  PromotionReceipt,
  Receipt,
  RefundView,
  RewardsView,
  SaleView,
  TerminalView,
  TradeView,
  TransitCity,
};

/** base64url text of a protocol message. */
export type B64 = string;

export interface ChallengeJson {
  challengeId: string;
  kind: ChallengeKindName;
  challenge: B64;
  expiresAt: number;
}

export interface ErrorJson {
  error: { status: number; name: string; message: string };
  /** RESULT for the band when its answer opened but was refused. */
  result?: B64;
  /** A challenge to deliver anyway: the WIPE for a revoked band. */
  challenge?: ChallengeJson;
}

export interface CheckoutInfoJson {
  signingKey: B64;
  hpkeKey: B64;
  keyId: B64;
}
export interface CatalogueJson {
  issuers: Issuer[];
  transitCities: TransitCity[];
}

export interface RegisterRequest {
  username: string;
  password: string;
  paymentPassword?: string;
  kind?: 'owner' | 'merchant';
  displayName?: string;
  /** Merchants: what kind of shop (dining, grocery, …: docs/CHECKOUT.md "Promotions"). */
  category?: string;
}
/** `deviceToken`: from this client's last sign-in; its attempts then count apart from strangers' (docs/CHECKOUT.md "Password attempts"). */
export interface LoginRequest {
  username: string;
  password: string;
  deviceToken?: string;
}
/** `deviceToken`: keep it and send it with the next sign-in or unlock. */
export interface SessionJson {
  token: string;
  expiresAt: number;
  account: AccountView;
  deviceToken: string;
}
export interface UnblockRequest {
  password: string;
  deviceToken?: string;
}
export interface UnblockJson {
  account: AccountView;
  deviceToken: string;
}

export interface EnrollJson {
  enrollId: string;
  enroll: B64;
  expiresAt: number;
}
export interface EnrolledRequest {
  enrollId: string;
  enrolled: B64;
  name?: string;
}
/** `turnOffCode` is shown this once (XXXX-XXXX-XXXX); the checkout keeps only its hash. */
export interface EnrolledJson {
  band: BandView;
  turnOffCode: string;
}
export interface TurnOffCodeJson {
  turnOffCode: string;
}
export interface TurnOffRequest {
  username: string;
  code: string;
}
export interface RenameTerminalRequest {
  name: string;
}
export interface AddCardRequest {
  issuerId?: string;
  cityId?: string;
  cardNumber?: string;
  balance?: number;
}
export interface UnlockRequest {
  hello: B64;
  username: string;
  password: string;
  deviceToken?: string;
}
export interface UnlockJson {
  challenge: ChallengeJson;
  deviceToken: string;
}
export interface LedgerJson {
  payments: OwnerPaymentView[];
  refunds: RefundView[];
}
/** GET /v1/merchant/sales|refunds|day-totals: ?from=&to= (YYYY-MM-DD or epoch ms), ?limit= (1-500), ?cursor=. */
export interface ReportParams {
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}
export interface SalesJson {
  from: number;
  to: number;
  sales: SaleView[];
  nextCursor: string | null;
}
export interface MerchantRefundsJson {
  from: number;
  to: number;
  refunds: MerchantRefundView[];
  nextCursor: string | null;
}
export interface DayTotalsJson {
  from: number;
  to: number;
  days: DayTotalView[];
}

export interface PairingCodeJson {
  code: string;
  expiresAt: number;
  qrText: string;
}
export interface PairRequest {
  code: string;
  publicKey: B64;
  name?: string;
}

export interface CreateTradeRequest {
  outTradeNo: string;
  amount: number;
  currency: string;
  subject: string;
  notifyUrl?: string;
}
export interface TradeDetailsJson {
  trade: TradeView;
  payment: PaymentView | null;
  refunds: RefundView[];
}
export interface PayWithBandRequest {
  hello: B64;
  express?: boolean;
}
export interface PayWithPasswordRequest {
  username: string;
  paymentPassword: string;
}
export interface RefundRequest {
  outRequestNo: string;
  amount: number;
  reason?: string;
}
export interface RefundJson {
  refund: RefundView;
  trade: TradeView;
  created: boolean;
}
export interface HelloJson {
  wearState: number;
}

export interface AnswerRequest {
  answer: B64;
}
export interface AnswerJson {
  kind: ChallengeKindName;
  result: B64;
  receipt?: Receipt;
  card?: CardView;
  /** The band is on the checkout's previous keys: relay this key update to it next (PROTOCOL.md §8). */
  keyUpdate?: ChallengeJson;
  /** An identity challenge's authenticator data (and assertion) for the WebAuthn response (PROTOCOL.md §9). */
  identity?: IdentityAnswerJson;
}

/** What a pairing QR code holds: enough for a terminal to find the checkout and pair. */
export function pairingQrText(code: string, checkoutUrl: string): string {
  return `wristpay-pair:${code}@${checkoutUrl}`;
}
