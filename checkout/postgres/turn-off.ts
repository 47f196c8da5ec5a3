/** PostgreSQL: the owners' one-time turn-off codes (hashes only) and their guess counters. */
import { BAND_COLUMNS, band, bytesOrNull } from '../sql/rows.ts';
import type { BandRow, TurnOffAttempt, TurnOffRow, TurnOffStore } from '../store.ts';
import { type PgDatabase, quoteAliases } from './connect.ts';

const BAND = quoteAliases(BAND_COLUMNS);

export class PgTurnOff implements TurnOffStore {
  constructor(private readonly db: PgDatabase) {}

  async setCode(accountId: string, codeHash: Uint8Array, now: number): Promise<void> {
    await this.db.query(
      `INSERT INTO turnoff_codes (account_id, code_hash, created_at, used_at) VALUES ($1, $2, $3, NULL)
       ON CONFLICT (account_id) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at, used_at = NULL`,
      [accountId, codeHash, now],
    );
  }

  async takeAttempt(accountId: string, now: number, max: number, windowMs: number): Promise<TurnOffAttempt> {
    // A fixed window opened by its first guess; the WHERE is the limit. A refused guess
    // changes nothing and is counted nowhere. The count and the read are one transaction.
    return this.db.tx(async (q): Promise<TurnOffAttempt> => {
      const counted = await q.query(
        `INSERT INTO turnoff_codes (account_id, failures, window_until) VALUES ($1, 1, $2)
         ON CONFLICT (account_id) DO UPDATE SET
           failures = CASE WHEN turnoff_codes.window_until <= $3 THEN 1 ELSE turnoff_codes.failures + 1 END,
           window_until = CASE WHEN turnoff_codes.window_until <= $3 THEN $2 ELSE turnoff_codes.window_until END
         WHERE turnoff_codes.window_until <= $3 OR turnoff_codes.failures < $4`,
        [accountId, now + windowMs, now, max],
      );
      const row = (
        await q.query<TurnOffRow & { windowUntil: number }>(
          'SELECT code_hash AS "codeHash", used_at AS "usedAt", window_until AS "windowUntil" FROM turnoff_codes WHERE account_id = $1',
          [accountId],
        )
      ).rows[0];
      if (counted.rowCount !== 1) return { allowed: false, retryAt: row.windowUntil };
      return { allowed: true, row: { codeHash: bytesOrNull(row.codeHash), usedAt: row.usedAt } };
    });
  }

  async useCode(accountId: string, codeHash: Uint8Array, now: number): Promise<BandRow[] | undefined> {
    return this.db.tx(async (q): Promise<BandRow[] | undefined> => {
      const spent = await q.query(
        `UPDATE turnoff_codes SET used_at = $2, failures = 0, window_until = 0
         WHERE account_id = $1 AND used_at IS NULL AND code_hash = $3`,
        [accountId, now, codeHash],
      );
      if (spent.rowCount !== 1) return undefined;
      await q.query(
        `UPDATE bands SET status = 'revoked', revoked_at = $2 WHERE account_id = $1 AND status = 'active'`,
        [accountId, now],
      );
      const r = await q.query(`SELECT ${BAND} FROM bands WHERE account_id = $1 ORDER BY enrolled_at, device_id`, [
        accountId,
      ]);
      return r.rows.map((x) => band(x) as BandRow);
    });
  }
}
