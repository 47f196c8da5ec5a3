/**
 * The auditor's part of the checkout's store (store.ts CheckoutStore.audit): whole-ledger
 * reads that the load, fault and hostile-relay checks hold the ledger to, the same on
 * SQLite and PostgreSQL. Never on a request path (they read every payment).
 */
import type { TradeStatus } from './rows.ts';

/** One payment as an auditor reads it, with its trade. */
export interface AuditPaymentRow {
  tradeNo: string;
  outTradeNo: string;
  amount: number;
  tradeAmount: number;
  tradeStatus: TradeStatus;
  accountId: string;
  deviceId: string | null;
  cardRef: string | null;
  counter: number | null;
  challengeId: string | null;
  createdAt: number;
}

export interface AuditStore {
  /**
   * Every payment in the order it was committed, as far as the store can tell: SQLite's row
   * order; PostgreSQL's commit time (the database clock), then the card counter.
   */
  payments(): Promise<AuditPaymentRow[]>;
  /** Trades marked paid that have no payment row (an honest ledger has none). */
  paidTradesWithoutPayment(): Promise<number>;
  /** The sum of the amounts of paid trades (refunded ones included). */
  paidTradesTotal(): Promise<number>;
}
