/**
 * The password-attempt part of the checkout's store (store.ts CheckoutStore.attempts), in its
 * own file because it is one concept: paying for a guess before it is hashed.
 */
import type { StatusCode } from '../shared/status/codes.ts';

/**
 * Password attempts (docs/CHECKOUT.md "Password attempts"). A guess is paid for BEFORE its
 * hash is computed: `reserve` counts it as a failure, atomically with the limit check (one
 * conditional UPDATE), and only then may the caller hash; `settle` tells how it went. So N
 * guesses sent at once evaluate at most `limit` hashes, however they interleave, in one
 * process or several sharing the database. A reservation never settled (a crash) stays a
 * failure: the safe side.
 *
 * Scopes: 'login' (the account password from clients without a device token; subject: the
 * account id), 'device' (the account password from a client with a valid device token;
 * subject: the token's nonce), 'pay' (the payment password; subject: the account id).
 */
export type AttemptScope = 'login' | 'device' | 'pay';
export interface AttemptPolicy {
  /** Attempts (failed or in flight) allowed before the subject is refused. */
  limit: number;
  /**
   * The first timed lock once `limit` is reached; after it one more attempt is allowed, and
   * each further failure locks again for twice as long, up to `maxLockMs`. 0: no timed lock,
   * refused until a success resets the counter (the payment password: until the owner unblocks it).
   */
  lockMs: number;
  maxLockMs: number;
  /** The count starts afresh when the last attempt is older than this; 0: never. */
  forgetMs: number;
}
export interface AttemptCounter {
  /** Failed attempts plus those in flight. */
  failures: number;
  /** Reservations ever granted, i.e. hashes evaluated (tests measure with it). */
  attempts: number;
  lockedUntil: number;
  /** The next timed lock's length. */
  lockMs: number;
  updatedAt: number;
}
/** `retryAt` null: refused until reset (a blocked payment password). */
export type Reservation = { granted: true } | { granted: false; retryAt: number | null };

/**
 * A payment-password attempt at a terminal: the payer's counter ('pay') and the terminal's
 * failures, reserved together. `accountId` null: no such payer (only the terminal counts).
 */
export interface PayAttempt {
  id: string;
  terminalId: string;
  accountId: string | null;
  payer: string;
}
export interface TerminalPayPolicy {
  limit: number;
  minPayers: number;
  windowMs: number;
}
export type PayReservation = { granted: true } | { granted: false; status: StatusCode; retryAt: number | null };

export interface AttemptStore {
  reserve(scope: AttemptScope, subject: string, policy: AttemptPolicy, now: number): Promise<Reservation>;
  /** Success deletes the counter (a clean slate); a failure that reached the limit sets the timed lock. */
  settle(scope: AttemptScope, subject: string, policy: AttemptPolicy, ok: boolean, now: number): Promise<void>;
  counter(scope: AttemptScope, subject: string): Promise<AttemptCounter | undefined>;
  /** Forgets the subject's failures (the owner unblocking the payment password). */
  reset(scope: AttemptScope, subject: string): Promise<void>;
  /**
   * One transaction, serialised per terminal (SQLite: the write lock; PostgreSQL: SELECT …
   * FOR UPDATE of the terminal row): refuses TERMINAL_SUSPENDED if the terminal is
   * suspended; drops its failures older than the window; at `terminal.limit` failures (in
   * flight included) suspends it when they span `minPayers` payers, else refuses
   * RATE_LIMITED until the oldest leaves the window; then reserves the payer's 'pay' counter
   * (PAY_PASSWORD_BLOCKED at `payLimit`) and records the attempt as a terminal failure.
   */
  reservePay(a: PayAttempt, payLimit: number, terminal: TerminalPayPolicy, now: number): Promise<PayReservation>;
  /**
   * Success: the payer's counter and the payer's failures at this terminal are cleared (as a
   * card's PIN try counter is). Failure: the attempt stays counted, and the terminal is
   * suspended if its failures now reach the policy. Returns the payer's counter afterwards.
   */
  settlePay(a: PayAttempt, ok: boolean, terminal: TerminalPayPolicy, now: number): Promise<AttemptCounter | undefined>;
  /** The terminal's failed (or in-flight) payment passwords in the window, and how many payers they span. */
  terminalFailures(terminalId: string, windowMs: number, now: number): Promise<{ failures: number; payers: number }>;
  /** Lifts a suspension (the merchant vouches for the till) and forgets the terminal's failures; false if it was not suspended. */
  liftSuspension(terminalId: string): Promise<boolean>;
}
