/**
 * The promotions part of the checkout's store (store.ts CheckoutStore.rewards): what a
 * promotion did to a payment, each card's points balance and each transit card's ride count.
 * The writes happen inside the payment's and the refund's own transactions (LedgerStore
 * commitPayment, commitRefund); this interface only reads.
 */

/** What a promotion did to one paid trade, and how much of it refunds have reversed so far. */
export interface PromotionUseRow {
  tradeNo: string;
  paymentId: string;
  accountId: string;
  cardRef: string;
  issuerId: string;
  /** The discount promotion, null when only points applied. */
  promotionId: string | null;
  pointsPromotionId: string | null;
  label: string | null;
  listAmount: number;
  discount: number;
  points: number;
  discountReversed: number;
  pointsReversed: number;
  createdAt: number;
}

/**
 * A transit card's step of its free-ride count, in the payment's transaction: a free ride
 * needs `after` rides counted (else the payment is refused OFFER_TAKEN: another payment took
 * the free ride first) and sets the count to 0; any other ride adds 1.
 */
export interface RideStep {
  cardRef: string;
  promotionId: string;
  after: number;
  free: boolean;
}

/** What a payment commits with its promotion (PaymentCommit.promotion). */
export interface PromotionCommit {
  /** Absent when nothing was discounted or earned (a ride counted, nothing more). */
  use?: PromotionUseRow;
  ride?: RideStep;
}

export interface RewardBalanceRow {
  cardRef: string;
  issuerId: string;
  points: number;
}

export interface RewardStore {
  /** Rides counted on the card for the promotion since its last free one (0 when none). */
  rides(cardRef: string, promotionId: string): Promise<number>;
  /** The account's points per card, cards with a balance row only. */
  balances(accountId: string): Promise<RewardBalanceRow[]>;
  use(tradeNo: string): Promise<PromotionUseRow | undefined>;
  /** The account's promotion uses, newest first (the owner's payments list shows them). */
  usesOf(accountId: string): Promise<PromotionUseRow[]>;
}
