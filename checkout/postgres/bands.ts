/** PostgreSQL: bands and their cards. */
import { Status } from '../../shared/status/codes.ts';
import { BAND_COLUMNS, CARD_COLUMNS, band, card } from '../sql/rows.ts';
import type { BandRow, BandStore, CardRow, CardState, Commit } from '../store.ts';
import { type PgDatabase, quoteAliases } from './connect.ts';

export const BAND = quoteAliases(BAND_COLUMNS);
const CARD = quoteAliases(CARD_COLUMNS);

export class PgBands implements BandStore {
  constructor(private readonly db: PgDatabase) {}

  async create(row: BandRow): Promise<Commit<BandRow>> {
    const r = await this.db.query(
      `INSERT INTO bands (device_id, account_id, name, signing_key, hpke_key, status, enrolled_at, revoked_at, wiped_at, unlocked_at, checkout_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (device_id) DO NOTHING`,
      [
        row.deviceId,
        row.accountId,
        row.name,
        row.signingKey,
        row.hpkeKey,
        row.status,
        row.enrolledAt,
        row.revokedAt,
        row.wipedAt,
        row.unlockedAt,
        row.checkoutKey,
      ],
    );
    if (r.rowCount === 0) return { ok: false, status: Status.ALREADY_ENROLLED, detail: 'band already enrolled' };
    return { ok: true, value: row };
  }

  async byId(deviceId: string): Promise<BandRow | undefined> {
    return band((await this.db.query(`SELECT ${BAND} FROM bands WHERE device_id = $1`, [deviceId])).rows[0]);
  }

  async byAccount(accountId: string): Promise<BandRow[]> {
    const r = await this.db.query(`SELECT ${BAND} FROM bands WHERE account_id = $1 ORDER BY enrolled_at, device_id`, [
      accountId,
    ]);
    return r.rows.map((x) => band(x) as BandRow);
  }

  async revoke(deviceId: string, now: number): Promise<BandRow | undefined> {
    // The update and the read in one statement: the row as it stands after this revoke (or
    // the earlier one that made it a no-op).
    const r = await this.db.query(
      `WITH upd AS (UPDATE bands SET status = 'revoked', revoked_at = $2 WHERE device_id = $1 AND status = 'active' RETURNING ${BAND})
       SELECT * FROM upd UNION ALL SELECT ${BAND} FROM bands WHERE device_id = $1 AND NOT EXISTS (SELECT 1 FROM upd)`,
      [deviceId, now],
    );
    return band(r.rows[0]);
  }

  async markWiped(deviceId: string, now: number): Promise<void> {
    await this.db.query(
      `WITH b AS (UPDATE bands SET status = 'wiped', wiped_at = $2 WHERE device_id = $1 AND status = 'revoked' RETURNING 1)
       UPDATE cards SET state = 'removed' WHERE device_id = $1`,
      [deviceId, now],
    );
  }

  async setCheckoutKey(deviceId: string, keyId: number): Promise<void> {
    await this.db.query('UPDATE bands SET checkout_key = $2 WHERE device_id = $1', [deviceId, keyId]);
  }

  async markUnlocked(deviceId: string, now: number): Promise<void> {
    await this.db.query('UPDATE bands SET unlocked_at = $2 WHERE device_id = $1', [deviceId, now]);
  }

  async markSeen(deviceId: string, at: number, terminalId: string | null, battery: number | null): Promise<void> {
    await this.db.query(
      `UPDATE bands SET last_seen_at = $2, last_seen_terminal = $3, last_seen_battery = $4
       WHERE device_id = $1 AND (last_seen_at IS NULL OR last_seen_at <= $2)`,
      [deviceId, at, terminalId, battery],
    );
  }

  async requestFind(deviceId: string, at: number | null): Promise<void> {
    await this.db.query('UPDATE bands SET find_requested_at = $2 WHERE device_id = $1', [deviceId, at]);
  }

  async markRang(deviceId: string, at: number): Promise<void> {
    await this.db.query('UPDATE bands SET rang_at = $2, find_requested_at = NULL WHERE device_id = $1', [deviceId, at]);
  }

  async addCard(row: CardRow, max: number): Promise<Commit<CardRow>> {
    // Count and insert in one serializable transaction: two adds that both counted 7 cannot
    // both commit (the second is retried and counts 8). Read-then-insert at READ COMMITTED
    // let a band reach 9 cards with a limit of 8.
    return this.db.tx(async (q): Promise<Commit<CardRow>> => {
      const live = await q.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM cards WHERE device_id = $1 AND state IN ('pending', 'active', 'removing')`,
        [row.deviceId],
      );
      const n = live.rows[0].n;
      if (n >= max) return { ok: false, status: Status.WALLET_FULL, detail: `the band already holds ${n} cards` };
      const r = await q.query(
        `INSERT INTO cards (card_ref, device_id, kind, issuer_id, issuer, last4, is_default, city, currency, balance, fare_cap, state, last_counter, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (card_ref) DO NOTHING`,
        [
          row.cardRef,
          row.deviceId,
          row.kind,
          row.issuerId,
          row.issuer,
          row.last4,
          row.isDefault ? 1 : 0,
          row.city,
          row.currency,
          row.balance,
          row.fareCap,
          row.state,
          row.lastCounter,
          row.createdAt,
        ],
      );
      if (r.rowCount === 0) return { ok: false, status: Status.CONFLICT, detail: 'cardRef taken', idTaken: true };
      return { ok: true, value: row };
    });
  }

  async card(cardRef: string): Promise<CardRow | undefined> {
    return card((await this.db.query(`SELECT ${CARD} FROM cards WHERE card_ref = $1`, [cardRef])).rows[0]);
  }

  async cards(deviceId: string): Promise<CardRow[]> {
    const r = await this.db.query(`SELECT ${CARD} FROM cards WHERE device_id = $1 ORDER BY created_at, card_ref`, [
      deviceId,
    ]);
    return r.rows.map((x) => card(x) as CardRow);
  }

  async setCardState(cardRef: string, state: CardState): Promise<void> {
    await this.db.query('UPDATE cards SET state = $2 WHERE card_ref = $1', [cardRef, state]);
  }
}
