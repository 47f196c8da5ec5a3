/**
 * SQLite: the owners' one-time turn-off codes (hashes only) and their guess counters.
 * Each limit is one conditional statement, so concurrent guesses cannot slip past it and
 * the same statements run on PostgreSQL (INSERT … ON CONFLICT … DO UPDATE … WHERE).
 */
import type { BandRow, TurnOffAttempt, TurnOffRow, TurnOffStore } from '../store.ts';
import { BAND_COLUMNS, band, bytesOrNull } from '../sql/rows.ts';
import type { Db } from './open.ts';

export class SqliteTurnOff implements TurnOffStore {
  constructor(private readonly db: Db) {}

  async setCode(accountId: string, codeHash: Uint8Array, now: number): Promise<void> {
    this.db
      .prepare(`INSERT INTO turnoff_codes (account_id, code_hash, created_at, used_at) VALUES (?, ?, ?, NULL)
      ON CONFLICT (account_id) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at, used_at = NULL`)
      .run(accountId, codeHash, now);
  }

  async takeAttempt(accountId: string, now: number, max: number, windowMs: number): Promise<TurnOffAttempt> {
    // A fixed window opened by its first guess: at most `max` guesses are evaluated in it.
    // The WHERE is the limit; a row it does not change is a refused guess, counted nowhere.
    const r = this.db
      .prepare(`INSERT INTO turnoff_codes (account_id, failures, window_until) VALUES (?, 1, ?)
      ON CONFLICT (account_id) DO UPDATE SET
        failures = CASE WHEN window_until <= ? THEN 1 ELSE failures + 1 END,
        window_until = CASE WHEN window_until <= ? THEN ? ELSE window_until END
      WHERE window_until <= ? OR failures < ?`)
      .run(accountId, now + windowMs, now, now, now + windowMs, now, max);
    const row = this.db
      .prepare(
        'SELECT code_hash AS codeHash, used_at AS usedAt, window_until AS windowUntil FROM turnoff_codes WHERE account_id = ?',
      )
      .get(accountId) as TurnOffRow & { windowUntil: number };
    if (r.changes !== 1) return { allowed: false, retryAt: row.windowUntil };
    return { allowed: true, row: { codeHash: bytesOrNull(row.codeHash), usedAt: row.usedAt } };
  }

  async useCode(accountId: string, codeHash: Uint8Array, now: number): Promise<BandRow[] | undefined> {
    return this.db.transaction((): BandRow[] | undefined => {
      const spent = this.db
        .prepare(`UPDATE turnoff_codes SET used_at = ?, failures = 0, window_until = 0
        WHERE account_id = ? AND used_at IS NULL AND code_hash = ?`)
        .run(now, accountId, codeHash);
      if (spent.changes !== 1) return undefined;
      this.db
        .prepare(`UPDATE bands SET status = 'revoked', revoked_at = ? WHERE account_id = ? AND status = 'active'`)
        .run(now, accountId);
      return this.db
        .prepare(`SELECT ${BAND_COLUMNS} FROM bands WHERE account_id = ? ORDER BY enrolled_at, device_id`)
        .all(accountId)
        .map((r) => band(r) as BandRow);
    })();
  }
}
