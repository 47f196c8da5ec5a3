/**
 * SQLite: the expiry sweep (core/sweeper.ts runs it periodically). Each statement touches
 * at most `batch` rows, chosen by a subquery on the expiry column, so one run holds the
 * write lock briefly however much has piled up; the next run takes the rest. Plain
 * `IN (SELECT ... LIMIT n)`: the same statements run on PostgreSQL.
 */
import type { SweepBounds, SweepCounts, SweepStore } from '../store.ts';
import type { Db } from './open.ts';

export class SqliteSweeps implements SweepStore {
  constructor(private readonly db: Db) {}

  async sweep(now: number, o: SweepBounds): Promise<SweepCounts> {
    const { db } = this;
    // The outer status test too: a payment committing between the subquery and the update
    // (another process, on PostgreSQL) keeps its trade.
    const trades = db
      .prepare(`UPDATE trades SET status = 'TRADE_CLOSED', closed_at = ? WHERE status = 'WAIT_BUYER_PAY' AND trade_no IN (
        SELECT trade_no FROM trades WHERE status = 'WAIT_BUYER_PAY' AND created_at <= ? LIMIT ?)`)
      .run(now, o.tradesCreatedBy, o.batch).changes;
    const sessions = db
      .prepare(
        'DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at <= ? LIMIT ?)',
      )
      .run(now, o.batch).changes;
    const challenges = db
      .prepare('DELETE FROM challenges WHERE id IN (SELECT id FROM challenges WHERE expires_at <= ? LIMIT ?)')
      .run(o.challengesExpiredBy, o.batch).changes;
    const enrollOffers = db
      .prepare('DELETE FROM enroll_offers WHERE id IN (SELECT id FROM enroll_offers WHERE expires_at <= ? LIMIT ?)')
      .run(now, o.batch).changes;
    const pairingCodes = db
      .prepare('DELETE FROM pairing_codes WHERE code IN (SELECT code FROM pairing_codes WHERE expires_at <= ? LIMIT ?)')
      .run(now, o.batch).changes;
    // Password-attempt counters of sign-ins that went quiet and are unlocked: a later failure
    // would start a fresh count anyway (attempts.ts RESERVE). The payment password's counter
    // is never forgotten (a block lasts until its owner lifts it), so 'pay' rows stay.
    const attempts = db
      .prepare(`DELETE FROM attempt_counters WHERE scope <> 'pay' AND (scope, subject) IN (
        SELECT scope, subject FROM attempt_counters WHERE scope <> 'pay' AND updated_at <= ? AND locked_until <= ? LIMIT ?)`)
      .run(o.attemptsQuietSince, now, o.batch).changes;
    const terminalFailures = db
      .prepare(
        'DELETE FROM terminal_pay_attempts WHERE id IN (SELECT id FROM terminal_pay_attempts WHERE created_at <= ? LIMIT ?)',
      )
      .run(o.terminalFailuresBefore, o.batch).changes;
    return { trades, sessions, challenges, enrollOffers, pairingCodes, attempts, terminalFailures };
  }
}
