/**
 * The checkout's persistence boundary. Everything the checkout remembers goes through
 * `CheckoutStore`; the SQLite implementation (sqlite/) is the default, and the PostgreSQL
 * one (postgres/) serves several checkout processes sharing one merchant base
 * (docs/CHECKOUT.md, "PostgreSQL"). open-store.ts picks one by the --db value.
 *
 * Why the interface looks like this:
 * - Every method returns a Promise, so a networked database fits without changing callers.
 * - There is no generic "transaction" handle: each multi-row change that must be atomic
 *   (a payment, a refund, an answered challenge) is ONE method, which re-checks its
 *   preconditions inside its own transaction. Callers verify first (cheap, no locks) and
 *   the store re-checks what another instance could have changed in between.
 * - Times are wall-clock milliseconds; amounts are integer minor units.
 */
import type { Commit } from './commit.ts';
import type { AttemptStore } from './attempt-store.ts';
import type { AuditStore } from './audit-store.ts';
import type { IdentityStore } from './identity-store.ts';
import type { ReportStore } from './report-store.ts';
import type { PromotionCommit, RewardStore } from './reward-store.ts';
import type {
  AccountRow,
  BandRow,
  CardRow,
  CardState,
  ChallengeRow,
  CheckoutKeyRow,
  EnrollOfferRow,
  NotificationRow,
  PairingCodeRow,
  PaymentRow,
  RefundRow,
  SessionRow,
  TerminalRow,
  TradeRow,
} from './rows.ts';

export type * from './attempt-store.ts';
export type * from './audit-store.ts';
export type * from './identity-store.ts';
export type * from './report-store.ts';
export type * from './reward-store.ts';
export type * from './rows.ts';

export type { Commit };

export interface PaymentCommit {
  payment: PaymentRow;
  /** For band payments: the challenge, which must still be unanswered. */
  challengeId?: string;
  /** For band payments: the card's new counter, which must be above the stored one. */
  counter?: { cardRef: string; value: number };
  /** Transit balance reported by the band after the fare. */
  balance?: { cardRef: string; value: number };
  /**
   * Password-free payments count against the day limit; above it they must be confirmed.
   * `amount` is the payment in the limit currency `currency` (core/limit-currency.ts): the day
   * total is kept in that one currency whatever the trade's.
   */
  dayLimit?: { perDay: number; confirmed: boolean; amount: number; currency: string };
  notification?: NotificationRow;
  /**
   * The terminals the payment went through (the one that asked for the challenge, the one
   * that posted the answer): each must still be paired when the payment commits.
   */
  terminalIds?: string[];
  /** What the challenge's promotion terms do, in the same transaction (reward-store.ts). */
  promotion?: PromotionCommit;
}

export interface RefundCommit {
  refund: RefundRow;
  /** The terminal asking for the refund: it must still be paired when the refund commits. */
  terminalIds?: string[];
}
/** Open = unpaid and created after `openSince` (older ones have expired and await the sweep). */
export interface TradeQuota {
  maxOpen: number;
  openSince: number;
}
export interface RefundOutcome {
  refund: RefundRow;
  trade: TradeRow;
  created: boolean;
}

export interface AccountStore {
  /**
   * Refuses a taken username with CONFLICT, a taken display-name key (a merchant's folded
   * name, display-name.ts; null for owners) with CONFLICT, a taken id with CONFLICT and `idTaken`.
   */
  create(row: AccountRow, nameKey?: string | null): Promise<Commit<AccountRow>>;
  byId(id: string): Promise<AccountRow | undefined>;
  byUsername(username: string): Promise<AccountRow | undefined>;
  /** Inserts the session and deletes the account's oldest beyond `maxPerAccount` (the new one always stays). */
  createSession(row: SessionRow, maxPerAccount: number): Promise<void>;
  session(tokenHash: Uint8Array): Promise<SessionRow | undefined>;
  deleteSession(tokenHash: Uint8Array): Promise<void>;
  createEnrollOffer(row: EnrollOfferRow): Promise<void>;
  /** Returns and deletes the offer (single use). */
  takeEnrollOffer(id: string): Promise<EnrollOfferRow | undefined>;
}

export interface BandStore {
  /** Refuses a known device id with ALREADY_ENROLLED. */
  create(row: BandRow): Promise<Commit<BandRow>>;
  byId(deviceId: string): Promise<BandRow | undefined>;
  byAccount(accountId: string): Promise<BandRow[]>;
  /** Sets revoked unless already revoked or wiped; returns the band as stored. */
  revoke(deviceId: string, now: number): Promise<BandRow | undefined>;
  markWiped(deviceId: string, now: number): Promise<void>;
  markUnlocked(deviceId: string, now: number): Promise<void>;
  /** Records a contact (core/last-seen.ts), whatever the band's status, unless a later one is recorded. */
  markSeen(deviceId: string, at: number, terminalId: string | null, battery: number | null): Promise<void>;
  /** Opens (at a time) or withdraws (null) the owner's request that the band ring at its next contact. */
  requestFind(deviceId: string, at: number | null): Promise<void>;
  /** The band answered a ring request: records when and closes the request. */
  markRang(deviceId: string, at: number): Promise<void>;
  /** Inserts a card unless the band already holds `max` live cards (WALLET_FULL) or its cardRef is taken (CONFLICT, `idTaken`). */
  addCard(row: CardRow, max: number): Promise<Commit<CardRow>>;
  card(cardRef: string): Promise<CardRow | undefined>;
  cards(deviceId: string): Promise<CardRow[]>;
  setCardState(cardRef: string, state: CardState): Promise<void>;
  /**
   * Makes an active card of the band the default of its kind (bank, transit) and every other card
   * of that kind not, in one statement; false (nothing changed) when it is no active card of this band.
   */
  setDefaultCard(deviceId: string, cardRef: string): Promise<boolean>;
  /** Records which ring key the band holds (its hello opened with it, or it accepted a key update). */
  setCheckoutKey(deviceId: string, keyId: number): Promise<void>;
}

/** The checkout's key ring (PROTOCOL.md §8): one active key pair, at most one previous. */
export interface KeyRingStore {
  /** Every key, newest first. */
  list(): Promise<CheckoutKeyRow[]>;
  /** Key 1 on a fresh store; when two processes race, both end up with the winner's. */
  createFirst(signing: Uint8Array, hpke: Uint8Array, now: number): Promise<void>;
  /** A new active key; the active one becomes previous. CONFLICT while a previous key is kept. */
  rotate(signing: Uint8Array, hpke: Uint8Array, now: number): Promise<Commit<CheckoutKeyRow>>;
  /** Erases the previous key's private halves; NOT_FOUND when there is none. */
  retirePrevious(now: number): Promise<Commit<CheckoutKeyRow>>;
  /** Active (not revoked, not wiped) bands per ring key id. */
  holders(): Promise<Map<number, number>>;
}

/**
 * A challenge with every row its answer is checked against, read together: one snapshot
 * and one round trip instead of six (the answer path's reads were a fifth of a payment).
 * A row that does not exist (or does not apply to the kind) is undefined.
 */
export interface AnswerContext {
  challenge: ChallengeRow;
  band: BandRow | undefined;
  /** The challenge's card (payment, provision, remove-card). */
  card: CardRow | undefined;
  /** Payment challenges: the trade, and its merchant's display name for the receipt. */
  trade: TradeRow | undefined;
  merchantName: string | undefined;
  /** The band owner's password-free limits. */
  payer: { accountId: string; limitPerPayment: number; limitPerDay: number } | undefined;
}

export interface ChallengeStore {
  /** Inserts the challenge unless its band has `maxOpen` unanswered, unexpired ones (QUOTA_EXCEEDED, nothing written). */
  create(row: ChallengeRow, maxOpen: number): Promise<Commit<ChallengeRow>>;
  byId(id: string): Promise<ChallengeRow | undefined>;
  /** The challenge and the rows its answer needs (AnswerContext); undefined when there is no such challenge. */
  withContext(id: string): Promise<AnswerContext | undefined>;
  /** Marks the challenge answered unless it already was; false when it was (REPLAYED). */
  markAnswered(id: string, outcome: number, now: number): Promise<boolean>;
}

export interface MerchantStore {
  createPairingCode(row: PairingCodeRow): Promise<void>;
  /** Marks the code used and returns it, if it exists, is unused and unexpired. */
  takePairingCode(code: string, now: number): Promise<PairingCodeRow | undefined>;
  latestPairingCode(merchantId: string, now: number): Promise<PairingCodeRow | undefined>;
  /** Refuses a taken id with CONFLICT and `idTaken`. */
  createTerminal(row: TerminalRow): Promise<Commit<TerminalRow>>;
  terminal(id: string): Promise<TerminalRow | undefined>;
  terminals(merchantId: string): Promise<TerminalRow[]>;
  /**
   * Marks the merchant's terminal unpaired (once: a second call keeps the first time) and
   * returns it; undefined when no terminal of this merchant has that id.
   */
  unpairTerminal(id: string, merchantId: string, now: number): Promise<TerminalRow | undefined>;
  /** Renames the merchant's terminal; undefined when no terminal of this merchant has that id. */
  renameTerminal(id: string, merchantId: string, name: string): Promise<TerminalRow | undefined>;
  /** The merchant's category (core/merchant-category.ts) for category promotions; null: none. */
  setCategory(merchantId: string, category: string | null): Promise<void>;
  category(merchantId: string): Promise<string | null>;
}

/** The owner's one-time turn-off code (hash only) and the guess counter that guards it. */
export interface TurnOffRow {
  codeHash: Uint8Array | null;
  usedAt: number | null;
}
export type TurnOffAttempt = { allowed: true; row: TurnOffRow } | { allowed: false; retryAt: number };

export interface TurnOffStore {
  /** Stores a fresh code's hash for the account (replacing any earlier code, used or not). */
  setCode(accountId: string, codeHash: Uint8Array, now: number): Promise<void>;
  /**
   * Counts one guess, atomically with the check that the account has guesses left in this
   * window (at most `max` per `windowMs`), BEFORE anything is hashed or compared. Refused
   * guesses are not counted (they are not evaluated either).
   */
  takeAttempt(accountId: string, now: number, max: number, windowMs: number): Promise<TurnOffAttempt>;
  /**
   * One transaction: spends the code if it is still unused and has this hash, clears the
   * guess counter, and revokes every active band of the account. Returns the account's
   * bands, or undefined when the code was not there to spend (used concurrently).
   */
  useCode(accountId: string, codeHash: Uint8Array, now: number): Promise<BandRow[] | undefined>;
}

export interface LedgerStore {
  /**
   * Inserts the trade, or returns the existing one with the same merchant and outTradeNo;
   * QUOTA_EXCEEDED (nothing written) when its terminal already holds `quota.maxOpen` open trades.
   */
  createTrade(row: TradeRow, quota: TradeQuota): Promise<Commit<{ trade: TradeRow; created: boolean }>>;
  trade(merchantId: string, outTradeNo: string): Promise<TradeRow | undefined>;
  tradeByNo(tradeNo: string): Promise<TradeRow | undefined>;
  /** Closes an unpaid trade; TRADE_CLOSED when it is paid or closed already. */
  closeTrade(tradeNo: string, now: number): Promise<Commit<TradeRow>>;
  /** One transaction: challenge answered, trade paid, payment, counter, day total, notification. */
  commitPayment(c: PaymentCommit): Promise<Commit<PaymentRow>>;
  /**
   * One transaction; idempotent by (trade, outRequestNo); never refunds above what was paid.
   * A trade a promotion changed has its discount and points reversed in the same transaction,
   * in proportion to the refunded share (sql/promotion-reversal.ts).
   */
  commitRefund(c: RefundCommit): Promise<Commit<RefundOutcome>>;
  payment(tradeNo: string): Promise<PaymentRow | undefined>;
  refunds(tradeNo: string): Promise<RefundRow[]>;
  /** The payer's payments, newest first, each with the display name of the merchant it paid. */
  paymentsOf(accountId: string): Promise<Array<PaymentRow & { merchantName: string }>>;
  refundsOf(accountId: string): Promise<RefundRow[]>;
  /** Row counts of the ledger tables (tests check that refusals change nothing). */
  counts(): Promise<{ trades: number; payments: number; refunds: number; notifications: number }>;
  /**
   * Claims up to `limit` due notifications for this process to send: each claimed row is not
   * due again for `leaseMs` (its next_at moves to now + leaseMs), so several checkout
   * processes never send one notification twice at once, and one that dies mid-send leaves
   * it to be sent again when the lease ends.
   */
  claimDueNotifications(now: number, limit: number, leaseMs: number): Promise<NotificationRow[]>;
  notificationsOf(tradeNo: string): Promise<NotificationRow[]>;
  recordNotifyAttempt(id: string, delivered: boolean, now: number, nextAt: number, error: string | null): Promise<void>;
}

/** A limit of `points` attempts per key in a fixed window of `windowMs`. */
export interface RateLimitRule {
  points: number;
  windowMs: number;
}

/**
 * Counts attempts per key in the store, so every checkout process sharing it sees the same
 * count: counting and deciding are one atomic statement (no read-then-write race).
 */
export interface RateLimiter {
  /** Counts one attempt for `key`; over the limit it is refused with the time until the window ends. */
  consume(key: string): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }>;
}

/** What one sweep run removed or closed. */
export interface SweepCounts {
  trades: number;
  sessions: number;
  challenges: number;
  enrollOffers: number;
  pairingCodes: number;
  /** Quiet, unlocked sign-in attempt counters, and a terminal's payment-password failures past their window. */
  attempts: number;
  terminalFailures: number;
}

export interface SweepBounds {
  tradesCreatedBy: number;
  challengesExpiredBy: number;
  /** Sign-in attempt counters not touched since then (and not locked) are forgotten. */
  attemptsQuietSince: number;
  /** A terminal's failed payment passwords from then or before no longer count. */
  terminalFailuresBefore: number;
  batch: number;
}

export interface SweepStore {
  /**
   * One bounded pass (at most `batch` rows of each kind): closes unpaid trades created at or
   * before `tradesCreatedBy`; deletes sessions, enrollment offers and pairing codes expired at
   * `now`, challenges expired at or before `challengesExpiredBy`, and the attempt records
   * SweepBounds names.
   */
  sweep(now: number, o: SweepBounds): Promise<SweepCounts>;
}

/** What /readyz asks the store: the schema applied and the one this code was written for. */
export interface StoreHealth {
  schemaVersion: number;
  expectedSchemaVersion: number;
}
/** Counts read when metrics are scraped (never on the payment path). */
export interface StoreCounts {
  openTrades: number;
  /** Notifications not delivered and not given up on. */
  pendingNotifications: number;
  /** Payment transactions committed by this process, and the payments in them (group commit). */
  commits: number;
  committedPayments: number;
  /** Seconds spent running those transactions, commit (fsync) included. */
  commitSeconds: number;
  /** Transactions run again after a serialization failure (PostgreSQL; 0 for SQLite). */
  retries: number;
  /** The connection pool (PostgreSQL only): open, idle, and requests waiting for one. */
  pool?: { total: number; idle: number; waiting: number };
}

export interface CheckoutStore {
  /**
   * The clock every decision about time takes (day limits, expiries, locks): the database's
   * where several processes share one (postgres/db-clock.ts), this machine's for SQLite.
   */
  readonly clock: () => number;
  readonly accounts: AccountStore;
  readonly sweeps: SweepStore;
  /** Password attempts, reserved before hashing (attempt-store.ts). */
  readonly attempts: AttemptStore;
  readonly bands: BandStore;
  readonly challenges: ChallengeStore;
  readonly merchants: MerchantStore;
  readonly ledger: LedgerStore;
  /** A merchant's sales, refunds and day totals, bounded by range and limit (report-store.ts). */
  readonly reports: ReportStore;
  readonly turnOff: TurnOffStore;
  readonly keyRing: KeyRingStore;
  /** Promotion uses, points balances, ride counts (reward-store.ts). */
  readonly rewards: RewardStore;
  /** The bands' WebAuthn credentials and their ceremonies (identity-store.ts). */
  readonly identity: IdentityStore;
  /** Whole-ledger reads for audits (never on a request path). */
  readonly audit: AuditStore;
  /** Small named values (the checkout's own keys). */
  getMeta(key: string): Promise<Uint8Array | undefined>;
  /** Sets the value unless one is there; returns the value that is stored afterwards. */
  setMetaOnce(key: string, value: Uint8Array): Promise<Uint8Array>;
  /** A limiter whose keys are namespaced by `name` (one per rule). */
  rateLimiter(name: string, rule: RateLimitRule): RateLimiter;
  /** A real round trip to the database (a dead connection rejects), for readiness probes. */
  health(): Promise<StoreHealth>;
  counts(): Promise<StoreCounts>;
  close(): Promise<void>;
}
