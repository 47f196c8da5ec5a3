/**
 * SQLite: password attempts, reserved before hashing (store.ts AttemptStore). The limit
 * check and the count are one conditional UPDATE, so two guesses can never both see room
 * for one; the statements are plain SQL that PostgreSQL runs as they stand (ON CONFLICT DO
 * NOTHING, CASE, no MIN/MAX scalars), and the SET expressions read the row's old values.
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
import type { Db } from './open.ts';

const COUNTER_COLUMNS = 'failures, attempts, locked_until AS lockedUntil, lock_ms AS lockMs, updated_at AS updatedAt';

/** Refused while locked, or while failures (in flight included) fill the limit; a stale count starts at 1. */
const RESERVE = `UPDATE attempt_counters SET
    failures = CASE WHEN updated_at < @forgetBefore THEN 1 ELSE failures + 1 END,
    lock_ms = CASE WHEN updated_at < @forgetBefore THEN @lockMs ELSE lock_ms END,
    attempts = attempts + 1,
    updated_at = @now
  WHERE scope = @scope AND subject = @subject AND locked_until <= @now
    AND (failures < @limit OR updated_at < @forgetBefore)`;

/**
 * The failure that fills the limit locks for lock_ms and doubles it (capped); the count drops
 * to one below the limit, so after the lock one more attempt is allowed: a throttle whose
 * window grows, never a lock a stranger can hold shut. Failures settling after that do nothing.
 */
const LOCK = `UPDATE attempt_counters SET
    locked_until = @now + lock_ms,
    lock_ms = CASE WHEN lock_ms * 2 > @maxLockMs THEN @maxLockMs ELSE lock_ms * 2 END,
    failures = @limit - 1
  WHERE scope = @scope AND subject = @subject AND failures >= @limit`;

export class SqliteAttempts implements AttemptStore {
  constructor(private readonly db: Db) {}

  async reserve(scope: AttemptScope, subject: string, policy: AttemptPolicy, now: number): Promise<Reservation> {
    return this.db.transaction(() => this.reserveNow(scope, subject, policy, now)).immediate();
  }

  private reserveNow(scope: AttemptScope, subject: string, policy: AttemptPolicy, now: number): Reservation {
    this.db
      .prepare(`INSERT INTO attempt_counters (scope, subject, failures, attempts, locked_until, lock_ms, updated_at)
        VALUES (?, ?, 0, 0, 0, ?, ?) ON CONFLICT (scope, subject) DO NOTHING`)
      .run(scope, subject, policy.lockMs, now);
    const forgetBefore = policy.forgetMs > 0 ? now - policy.forgetMs : Number.MIN_SAFE_INTEGER;
    const r = this.db
      .prepare(RESERVE)
      .run({ scope, subject, now, limit: policy.limit, lockMs: policy.lockMs, forgetBefore });
    if (r.changes === 1) return { granted: true };
    const c = this.counterNow(scope, subject) as AttemptCounter;
    if (policy.lockMs === 0) return { granted: false, retryAt: null };
    // Locked, or the limit is full of guesses still being hashed: the lock they will set.
    return { granted: false, retryAt: c.lockedUntil > now ? c.lockedUntil : now + c.lockMs };
  }

  async settle(scope: AttemptScope, subject: string, policy: AttemptPolicy, ok: boolean, now: number): Promise<void> {
    if (ok) {
      this.db.prepare('DELETE FROM attempt_counters WHERE scope = ? AND subject = ?').run(scope, subject);
      return;
    }
    if (policy.lockMs === 0) return; // refused at the limit until reset
    this.db.prepare(LOCK).run({ scope, subject, now, limit: policy.limit, maxLockMs: policy.maxLockMs });
  }

  async counter(scope: AttemptScope, subject: string): Promise<AttemptCounter | undefined> {
    return this.counterNow(scope, subject);
  }

  private counterNow(scope: AttemptScope, subject: string): AttemptCounter | undefined {
    return this.db
      .prepare(`SELECT ${COUNTER_COLUMNS} FROM attempt_counters WHERE scope = ? AND subject = ?`)
      .get(scope, subject) as AttemptCounter | undefined;
  }

  async reset(scope: AttemptScope, subject: string): Promise<void> {
    this.db.prepare('DELETE FROM attempt_counters WHERE scope = ? AND subject = ?').run(scope, subject);
  }

  async reservePay(a: PayAttempt, payLimit: number, terminal: TerminalPayPolicy, now: number): Promise<PayReservation> {
    // IMMEDIATE: the write lock from the first read, so a checkout process sharing the file
    // cannot count the same terminal's failures between our count and our insert.
    return this.db
      .transaction((): PayReservation => {
        const t = this.db.prepare('SELECT suspended_at AS suspendedAt FROM terminals WHERE id = ?').get(a.terminalId) as
          | { suspendedAt: number | null }
          | undefined;
        if (!t || t.suspendedAt !== null) return { granted: false, status: Status.TERMINAL_SUSPENDED, retryAt: null };
        this.db
          .prepare('DELETE FROM terminal_pay_attempts WHERE terminal_id = ? AND created_at <= ?')
          .run(a.terminalId, now - terminal.windowMs);
        const seen = this.windowNow(a.terminalId);
        if (seen.failures >= terminal.limit) {
          if (seen.payers >= terminal.minPayers) {
            this.suspendNow(a.terminalId, now);
            return { granted: false, status: Status.TERMINAL_SUSPENDED, retryAt: null };
          }
          return { granted: false, status: Status.RATE_LIMITED, retryAt: seen.oldest + terminal.windowMs };
        }
        if (a.accountId !== null) {
          const payer = this.reserveNow(
            'pay',
            a.accountId,
            { limit: payLimit, lockMs: 0, maxLockMs: 0, forgetMs: 0 },
            now,
          );
          if (!payer.granted) return { granted: false, status: Status.PAY_PASSWORD_BLOCKED, retryAt: null };
        }
        this.db
          .prepare('INSERT INTO terminal_pay_attempts (id, terminal_id, payer, created_at) VALUES (?, ?, ?, ?)')
          .run(a.id, a.terminalId, a.payer, now);
        return { granted: true };
      })
      .immediate();
  }

  async settlePay(
    a: PayAttempt,
    ok: boolean,
    terminal: TerminalPayPolicy,
    now: number,
  ): Promise<AttemptCounter | undefined> {
    return this.db
      .transaction(() => {
        if (ok) {
          if (a.accountId !== null)
            this.db.prepare("DELETE FROM attempt_counters WHERE scope = 'pay' AND subject = ?").run(a.accountId);
          this.db
            .prepare('DELETE FROM terminal_pay_attempts WHERE terminal_id = ? AND payer = ?')
            .run(a.terminalId, a.payer);
          return undefined;
        }
        const seen = this.windowNow(a.terminalId);
        if (seen.failures >= terminal.limit && seen.payers >= terminal.minPayers) this.suspendNow(a.terminalId, now);
        return a.accountId === null ? undefined : this.counterNow('pay', a.accountId);
      })
      .immediate();
  }

  async terminalFailures(
    terminalId: string,
    windowMs: number,
    now: number,
  ): Promise<{ failures: number; payers: number }> {
    const r = this.db
      .prepare(
        'SELECT COUNT(*) AS failures, COUNT(DISTINCT payer) AS payers FROM terminal_pay_attempts WHERE terminal_id = ? AND created_at > ?',
      )
      .get(terminalId, now - windowMs) as { failures: number; payers: number };
    return { failures: r.failures, payers: r.payers };
  }

  async liftSuspension(terminalId: string): Promise<boolean> {
    return this.db.transaction(() => {
      const r = this.db
        .prepare('UPDATE terminals SET suspended_at = NULL WHERE id = ? AND suspended_at IS NOT NULL')
        .run(terminalId);
      if (r.changes === 0) return false;
      this.db.prepare('DELETE FROM terminal_pay_attempts WHERE terminal_id = ?').run(terminalId);
      return true;
    })();
  }

  private windowNow(terminalId: string): { failures: number; payers: number; oldest: number } {
    // Rows older than the window were dropped by reservePay just before.
    return this.db
      .prepare(
        'SELECT COUNT(*) AS failures, COUNT(DISTINCT payer) AS payers, COALESCE(MIN(created_at), 0) AS oldest FROM terminal_pay_attempts WHERE terminal_id = ?',
      )
      .get(terminalId) as { failures: number; payers: number; oldest: number };
  }

  private suspendNow(terminalId: string, now: number): void {
    this.db.prepare('UPDATE terminals SET suspended_at = ? WHERE id = ? AND suspended_at IS NULL').run(now, terminalId);
  }
}
