/**
 * PostgreSQL: password attempts, reserved before hashing (attempt-store.ts). The same
 * conditional statements as the SQLite store's: the limit check and the count are one
 * UPDATE, whose SET reads the row's old values, so two guesses never both see room for one.
 * A payment-password reservation locks its terminal's row (FOR UPDATE) for its transaction:
 * every process's reservations at one terminal take turns, as SQLite's write lock makes them.
 */
import { Status } from '../../shared/status/codes.ts';
import type {
  AttemptCounter,
  AttemptPolicy,
  AttemptScope,
  AttemptStore,
  PayAttempt,
  PayReservation,
  Reservation,
  TerminalPayPolicy,
} from '../store.ts';
import type { PgDatabase, Queryable } from './connect.ts';

const COUNTER = 'failures, attempts, locked_until AS "lockedUntil", lock_ms AS "lockMs", updated_at AS "updatedAt"';

/** $1 scope, $2 subject, $3 now, $4 limit, $5 lockMs, $6 forgetBefore. */
const RESERVE = `UPDATE attempt_counters SET
    failures = CASE WHEN updated_at < $6 THEN 1 ELSE failures + 1 END,
    lock_ms = CASE WHEN updated_at < $6 THEN $5 ELSE lock_ms END,
    attempts = attempts + 1,
    updated_at = $3
  WHERE scope = $1 AND subject = $2 AND locked_until <= $3 AND (failures < $4 OR updated_at < $6)`;

/** $1 scope, $2 subject, $3 now, $4 limit, $5 maxLockMs. */
const LOCK = `UPDATE attempt_counters SET
    locked_until = $3 + lock_ms,
    lock_ms = CASE WHEN lock_ms * 2 > $5 THEN $5 ELSE lock_ms * 2 END,
    failures = $4 - 1
  WHERE scope = $1 AND subject = $2 AND failures >= $4`;

export class PgAttempts implements AttemptStore {
  constructor(private readonly db: PgDatabase) {}

  reserve(scope: AttemptScope, subject: string, policy: AttemptPolicy, now: number): Promise<Reservation> {
    return this.db.tx((q) => reserveIn(q, scope, subject, policy, now));
  }

  async settle(scope: AttemptScope, subject: string, policy: AttemptPolicy, ok: boolean, now: number): Promise<void> {
    if (ok) {
      await this.db.query('DELETE FROM attempt_counters WHERE scope = $1 AND subject = $2', [scope, subject]);
      return;
    }
    if (policy.lockMs === 0) return; // refused at the limit until reset
    await this.db.query(LOCK, [scope, subject, now, policy.limit, policy.maxLockMs]);
  }

  counter(scope: AttemptScope, subject: string): Promise<AttemptCounter | undefined> {
    return counterIn(this.db, scope, subject);
  }

  async reset(scope: AttemptScope, subject: string): Promise<void> {
    await this.db.query('DELETE FROM attempt_counters WHERE scope = $1 AND subject = $2', [scope, subject]);
  }

  reservePay(a: PayAttempt, payLimit: number, terminal: TerminalPayPolicy, now: number): Promise<PayReservation> {
    return this.db.tx(async (q): Promise<PayReservation> => {
      const t = (
        await q.query<{ suspendedAt: number | null }>(
          'SELECT suspended_at AS "suspendedAt" FROM terminals WHERE id = $1 FOR UPDATE',
          [a.terminalId],
        )
      ).rows[0];
      if (!t || t.suspendedAt !== null) return { granted: false, status: Status.TERMINAL_SUSPENDED, retryAt: null };
      await q.query('DELETE FROM terminal_pay_attempts WHERE terminal_id = $1 AND created_at <= $2', [
        a.terminalId,
        now - terminal.windowMs,
      ]);
      const seen = await windowIn(q, a.terminalId);
      if (seen.failures >= terminal.limit) {
        if (seen.payers >= terminal.minPayers) {
          await suspendIn(q, a.terminalId, now);
          return { granted: false, status: Status.TERMINAL_SUSPENDED, retryAt: null };
        }
        return { granted: false, status: Status.RATE_LIMITED, retryAt: seen.oldest + terminal.windowMs };
      }
      if (a.accountId !== null) {
        const payer = await reserveIn(
          q,
          'pay',
          a.accountId,
          { limit: payLimit, lockMs: 0, maxLockMs: 0, forgetMs: 0 },
          now,
        );
        if (!payer.granted) return { granted: false, status: Status.PAY_PASSWORD_BLOCKED, retryAt: null };
      }
      await q.query('INSERT INTO terminal_pay_attempts (id, terminal_id, payer, created_at) VALUES ($1, $2, $3, $4)', [
        a.id,
        a.terminalId,
        a.payer,
        now,
      ]);
      return { granted: true };
    });
  }

  settlePay(a: PayAttempt, ok: boolean, terminal: TerminalPayPolicy, now: number): Promise<AttemptCounter | undefined> {
    return this.db.tx(async (q) => {
      if (ok) {
        if (a.accountId !== null)
          await q.query("DELETE FROM attempt_counters WHERE scope = 'pay' AND subject = $1", [a.accountId]);
        await q.query('DELETE FROM terminal_pay_attempts WHERE terminal_id = $1 AND payer = $2', [
          a.terminalId,
          a.payer,
        ]);
        return undefined;
      }
      await q.query('SELECT 1 FROM terminals WHERE id = $1 FOR UPDATE', [a.terminalId]);
      const seen = await windowIn(q, a.terminalId);
      if (seen.failures >= terminal.limit && seen.payers >= terminal.minPayers) await suspendIn(q, a.terminalId, now);
      return a.accountId === null ? undefined : counterIn(q, 'pay', a.accountId);
    });
  }

  async terminalFailures(
    terminalId: string,
    windowMs: number,
    now: number,
  ): Promise<{ failures: number; payers: number }> {
    const r = await this.db.query<{ failures: number; payers: number }>(
      'SELECT COUNT(*) AS failures, COUNT(DISTINCT payer) AS payers FROM terminal_pay_attempts WHERE terminal_id = $1 AND created_at > $2',
      [terminalId, now - windowMs],
    );
    return { failures: r.rows[0].failures, payers: r.rows[0].payers };
  }

  liftSuspension(terminalId: string): Promise<boolean> {
    return this.db.tx(async (q) => {
      const r = await q.query('UPDATE terminals SET suspended_at = NULL WHERE id = $1 AND suspended_at IS NOT NULL', [
        terminalId,
      ]);
      if (r.rowCount === 0) return false;
      await q.query('DELETE FROM terminal_pay_attempts WHERE terminal_id = $1', [terminalId]);
      return true;
    });
  }
}

async function reserveIn(
  q: Queryable,
  scope: AttemptScope,
  subject: string,
  policy: AttemptPolicy,
  now: number,
): Promise<Reservation> {
  await q.query(
    `INSERT INTO attempt_counters (scope, subject, failures, attempts, locked_until, lock_ms, updated_at)
     VALUES ($1, $2, 0, 0, 0, $3, $4) ON CONFLICT (scope, subject) DO NOTHING`,
    [scope, subject, policy.lockMs, now],
  );
  const forgetBefore = policy.forgetMs > 0 ? now - policy.forgetMs : Number.MIN_SAFE_INTEGER;
  const r = await q.query(RESERVE, [scope, subject, now, policy.limit, policy.lockMs, forgetBefore]);
  if (r.rowCount === 1) return { granted: true };
  const c = (await counterIn(q, scope, subject)) as AttemptCounter;
  if (policy.lockMs === 0) return { granted: false, retryAt: null };
  return { granted: false, retryAt: c.lockedUntil > now ? c.lockedUntil : now + c.lockMs };
}

async function counterIn(q: Queryable, scope: AttemptScope, subject: string): Promise<AttemptCounter | undefined> {
  const r = await q.query<AttemptCounter>(`SELECT ${COUNTER} FROM attempt_counters WHERE scope = $1 AND subject = $2`, [
    scope,
    subject,
  ]);
  return r.rows[0];
}

async function windowIn(
  q: Queryable,
  terminalId: string,
): Promise<{ failures: number; payers: number; oldest: number }> {
  const r = await q.query<{ failures: number; payers: number; oldest: number }>(
    'SELECT COUNT(*) AS failures, COUNT(DISTINCT payer) AS payers, COALESCE(MIN(created_at), 0) AS oldest FROM terminal_pay_attempts WHERE terminal_id = $1',
    [terminalId],
  );
  return r.rows[0];
}

async function suspendIn(q: Queryable, terminalId: string, now: number): Promise<void> {
  await q.query('UPDATE terminals SET suspended_at = $2 WHERE id = $1 AND suspended_at IS NULL', [terminalId, now]);
}
