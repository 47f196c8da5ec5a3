/**
 * SQLite: the checkout's key ring (migration 7). The one-active and one-previous rules are
 * partial UNIQUE indexes, so two operators rotating at once cannot both succeed; each change
 * is one transaction that re-checks the state it starts from.
 */
import { Status } from '../../shared/status/codes.ts';
import type { CheckoutKeyRow, Commit, KeyRingStore } from '../store.ts';
import { KEY_COLUMNS as COLUMNS, keyRow as row } from '../sql/rows.ts';
import type { Db } from './open.ts';

export class SqliteKeyRing implements KeyRingStore {
  constructor(private readonly db: Db) {}

  async list(): Promise<CheckoutKeyRow[]> {
    return this.db.prepare(`SELECT ${COLUMNS} FROM checkout_keys ORDER BY id DESC`).all().map(row);
  }

  async createFirst(signing: Uint8Array, hpke: Uint8Array, now: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO checkout_keys (id, signing, hpke, state, created_at) VALUES (1, ?, ?, 'active', ?) ON CONFLICT (id) DO NOTHING`,
      )
      .run(signing, hpke, now);
  }

  async rotate(signing: Uint8Array, hpke: Uint8Array, now: number): Promise<Commit<CheckoutKeyRow>> {
    return this.db.transaction((): Commit<CheckoutKeyRow> => {
      const previous = this.db.prepare(`SELECT id FROM checkout_keys WHERE state = 'previous'`).get() as
        | { id: number }
        | undefined;
      if (previous)
        return {
          ok: false,
          status: Status.CONFLICT,
          detail: `key ${previous.id} is still in its overlap; retire it before rotating again`,
        };
      const max = this.db.prepare('SELECT MAX(id) AS id FROM checkout_keys').get() as { id: number | null };
      const id = (max.id ?? 0) + 1;
      this.db.prepare(`UPDATE checkout_keys SET state = 'previous' WHERE state = 'active'`).run();
      this.db
        .prepare(`INSERT INTO checkout_keys (id, signing, hpke, state, created_at) VALUES (?, ?, ?, 'active', ?)`)
        .run(id, signing, hpke, now);
      return { ok: true, value: row(this.db.prepare(`SELECT ${COLUMNS} FROM checkout_keys WHERE id = ?`).get(id)) };
    })();
  }

  async retirePrevious(now: number): Promise<Commit<CheckoutKeyRow>> {
    // Erased means gone from the file: SQLite zeroes the space the scalars leave (secure_delete),
    // and the WAL, which still holds the pages they were written in, is checkpointed and cut back
    // (fully once no other connection is reading; a checkout instance's own close finishes it).
    this.db.pragma('secure_delete = ON');
    const retired = this.db.transaction((): Commit<CheckoutKeyRow> => {
      const previous = this.db.prepare(`SELECT id FROM checkout_keys WHERE state = 'previous'`).get() as
        | { id: number }
        | undefined;
      if (!previous) return { ok: false, status: Status.NOT_FOUND, detail: 'no previous key to retire' };
      this.db
        .prepare(`UPDATE checkout_keys SET state = 'retired', signing = NULL, hpke = NULL, retired_at = ? WHERE id = ?`)
        .run(now, previous.id);
      return {
        ok: true,
        value: row(this.db.prepare(`SELECT ${COLUMNS} FROM checkout_keys WHERE id = ?`).get(previous.id)),
      };
    })();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return retired;
  }

  async holders(): Promise<Map<number, number>> {
    const rows = this.db
      .prepare(`SELECT checkout_key AS id, COUNT(*) AS n FROM bands WHERE status = 'active' GROUP BY checkout_key`)
      .all() as Array<{ id: number; n: number }>;
    return new Map(rows.map((r) => [r.id, r.n]));
  }
}
