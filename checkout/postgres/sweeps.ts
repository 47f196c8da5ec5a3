/**
 * PostgreSQL: the expiry sweep, the same bounded statements as the SQLite store's. Each is
 * its own statement (one short transaction), so a sweep never holds locks across tables.
 */
import type { SweepBounds, SweepCounts, SweepStore } from '../store.ts';
import type { PgDatabase } from './connect.ts';

export class PgSweeps implements SweepStore {
  constructor(private readonly db: PgDatabase) {}

  async sweep(now: number, o: SweepBounds): Promise<SweepCounts> {
    const run = async (sql: string, values: unknown[]) => (await this.db.query(sql, values)).rowCount ?? 0;
    // The outer status test too: a payment committing meanwhile keeps its trade.
    const trades = await run(
      `UPDATE trades SET status = 'TRADE_CLOSED', closed_at = $1 WHERE status = 'WAIT_BUYER_PAY' AND trade_no IN (
        SELECT trade_no FROM trades WHERE status = 'WAIT_BUYER_PAY' AND created_at <= $2 LIMIT $3)`,
      [now, o.tradesCreatedBy, o.batch],
    );
    const sessions = await run(
      'DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at <= $1 LIMIT $2)',
      [now, o.batch],
    );
    const challenges = await run(
      'DELETE FROM challenges WHERE id IN (SELECT id FROM challenges WHERE expires_at <= $1 LIMIT $2)',
      [o.challengesExpiredBy, o.batch],
    );
    const enrollOffers = await run(
      'DELETE FROM enroll_offers WHERE id IN (SELECT id FROM enroll_offers WHERE expires_at <= $1 LIMIT $2)',
      [now, o.batch],
    );
    const pairingCodes = await run(
      'DELETE FROM pairing_codes WHERE code IN (SELECT code FROM pairing_codes WHERE expires_at <= $1 LIMIT $2)',
      [now, o.batch],
    );
    // Quiet, unlocked sign-in counters; the payment password's ('pay') are never forgotten.
    const attempts = await run(
      `DELETE FROM attempt_counters WHERE scope <> 'pay' AND (scope, subject) IN (
        SELECT scope, subject FROM attempt_counters WHERE scope <> 'pay' AND updated_at <= $1 AND locked_until <= $2 LIMIT $3)`,
      [o.attemptsQuietSince, now, o.batch],
    );
    const terminalFailures = await run(
      'DELETE FROM terminal_pay_attempts WHERE id IN (SELECT id FROM terminal_pay_attempts WHERE created_at <= $1 LIMIT $2)',
      [o.terminalFailuresBefore, o.batch],
    );
    return { trades, sessions, challenges, enrollOffers, pairingCodes, attempts, terminalFailures };
  }
}
