/**
 * PostgreSQL: the checkout's key ring. The one-active and one-previous rules are partial
 * UNIQUE indexes, and each change is one serializable transaction re-checking its start.
 * A retired key's private halves are set to NULL; PostgreSQL leaves the old row version
 * until VACUUM reclaims it, so `checkout keys retire` runs VACUUM on the table after.
 */
import { Status } from '../../shared/status/codes.ts';
import { KEY_COLUMNS, keyRow } from '../sql/rows.ts';
import type { CheckoutKeyRow, Commit, KeyRingStore } from '../store.ts';
import { type PgDatabase, quoteAliases } from './connect.ts';

const COLUMNS = quoteAliases(KEY_COLUMNS);

export class PgKeyRing implements KeyRingStore {
  constructor(private readonly db: PgDatabase) {}

  async list(): Promise<CheckoutKeyRow[]> {
    return (await this.db.query(`SELECT ${COLUMNS} FROM checkout_keys ORDER BY id DESC`)).rows.map(keyRow);
  }

  async createFirst(signing: Uint8Array, hpke: Uint8Array, now: number): Promise<void> {
    // No conflict target: two processes creating key 1 at once can meet on the one-active index
    // before the primary key, and either conflict means the other's key 1 is there.
    await this.db.query(
      `INSERT INTO checkout_keys (id, signing, hpke, state, created_at) VALUES (1, $1, $2, 'active', $3) ON CONFLICT DO NOTHING`,
      [signing, hpke, now],
    );
  }

  async rotate(signing: Uint8Array, hpke: Uint8Array, now: number): Promise<Commit<CheckoutKeyRow>> {
    return this.db.tx(async (q): Promise<Commit<CheckoutKeyRow>> => {
      const previous = (await q.query<{ id: number }>(`SELECT id FROM checkout_keys WHERE state = 'previous'`)).rows[0];
      if (previous)
        return {
          ok: false,
          status: Status.CONFLICT,
          detail: `key ${previous.id} is still in its overlap; retire it before rotating again`,
        };
      const max = (await q.query<{ id: number | null }>('SELECT MAX(id) AS id FROM checkout_keys')).rows[0];
      const id = (max.id ?? 0) + 1;
      await q.query(`UPDATE checkout_keys SET state = 'previous' WHERE state = 'active'`);
      const r = await q.query(
        `INSERT INTO checkout_keys (id, signing, hpke, state, created_at) VALUES ($1, $2, $3, 'active', $4) RETURNING ${COLUMNS}`,
        [id, signing, hpke, now],
      );
      return { ok: true, value: keyRow(r.rows[0]) };
    });
  }

  async retirePrevious(now: number): Promise<Commit<CheckoutKeyRow>> {
    const r = await this.db.query(
      `UPDATE checkout_keys SET state = 'retired', signing = NULL, hpke = NULL, retired_at = $1
       WHERE state = 'previous' RETURNING ${COLUMNS}`,
      [now],
    );
    if (r.rowCount !== 1) return { ok: false, status: Status.NOT_FOUND, detail: 'no previous key to retire' };
    // The old row version (with the private halves) stays in the table's pages until vacuumed.
    await this.db.pool.query('VACUUM checkout_keys').catch(() => undefined);
    return { ok: true, value: keyRow(r.rows[0]) };
  }

  async holders(): Promise<Map<number, number>> {
    const r = await this.db.query<{ id: number; n: number }>(
      `SELECT checkout_key AS id, COUNT(*) AS n FROM bands WHERE status = 'active' GROUP BY checkout_key`,
    );
    return new Map(r.rows.map((x) => [x.id, x.n]));
  }
}
