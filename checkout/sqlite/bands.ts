/** SQLite: bands and their cards. */
import { Status } from '../../shared/status/codes.ts';
import type { BandRow, BandStore, CardRow, CardState, Commit } from '../store.ts';
import { BAND_COLUMNS, CARD_COLUMNS, band, card } from '../sql/rows.ts';
import type { Db } from './open.ts';

/** Cards that occupy a wallet slot on the band (or are about to). */
const LIVE_STATES = `('pending', 'active', 'removing')`;

export class SqliteBands implements BandStore {
  constructor(private readonly db: Db) {}

  async create(row: BandRow): Promise<Commit<BandRow>> {
    const r = this.db
      .prepare(`INSERT INTO bands (device_id, account_id, name, signing_key, hpke_key, status, enrolled_at, revoked_at, wiped_at, unlocked_at, checkout_key)
        VALUES (@deviceId, @accountId, @name, @signingKey, @hpkeKey, @status, @enrolledAt, @revokedAt, @wipedAt, @unlockedAt, @checkoutKey)
        ON CONFLICT (device_id) DO NOTHING`)
      .run(row);
    if (r.changes === 0) return { ok: false, status: Status.ALREADY_ENROLLED, detail: 'band already enrolled' };
    return { ok: true, value: row };
  }

  async byId(deviceId: string): Promise<BandRow | undefined> {
    return band(this.db.prepare(`SELECT ${BAND_COLUMNS} FROM bands WHERE device_id = ?`).get(deviceId));
  }

  async byAccount(accountId: string): Promise<BandRow[]> {
    const rows = this.db
      .prepare(`SELECT ${BAND_COLUMNS} FROM bands WHERE account_id = ? ORDER BY enrolled_at, device_id`)
      .all(accountId);
    return rows.map((r) => band(r) as BandRow);
  }

  async revoke(deviceId: string, now: number): Promise<BandRow | undefined> {
    this.db
      .prepare(`UPDATE bands SET status = 'revoked', revoked_at = ? WHERE device_id = ? AND status = 'active'`)
      .run(now, deviceId);
    return this.byId(deviceId);
  }

  async markWiped(deviceId: string, now: number): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(`UPDATE bands SET status = 'wiped', wiped_at = ? WHERE device_id = ? AND status = 'revoked'`)
        .run(now, deviceId);
      this.db.prepare(`UPDATE cards SET state = 'removed' WHERE device_id = ?`).run(deviceId);
    })();
  }

  async setCheckoutKey(deviceId: string, keyId: number): Promise<void> {
    this.db.prepare('UPDATE bands SET checkout_key = ? WHERE device_id = ?').run(keyId, deviceId);
  }

  async markUnlocked(deviceId: string, now: number): Promise<void> {
    this.db.prepare('UPDATE bands SET unlocked_at = ? WHERE device_id = ?').run(now, deviceId);
  }

  async markSeen(deviceId: string, at: number, terminalId: string | null, battery: number | null): Promise<void> {
    this.db
      .prepare(`UPDATE bands SET last_seen_at = ?, last_seen_terminal = ?, last_seen_battery = ?
        WHERE device_id = ? AND (last_seen_at IS NULL OR last_seen_at <= ?)`)
      .run(at, terminalId, battery, deviceId, at);
  }

  async requestFind(deviceId: string, at: number | null): Promise<void> {
    this.db.prepare('UPDATE bands SET find_requested_at = ? WHERE device_id = ?').run(at, deviceId);
  }

  async markRang(deviceId: string, at: number): Promise<void> {
    this.db.prepare('UPDATE bands SET rang_at = ?, find_requested_at = NULL WHERE device_id = ?').run(at, deviceId);
  }

  async addCard(row: CardRow, max: number): Promise<Commit<CardRow>> {
    return this.db.transaction((): Commit<CardRow> => {
      const live = this.db
        .prepare(`SELECT COUNT(*) AS n FROM cards WHERE device_id = ? AND state IN ${LIVE_STATES}`)
        .get(row.deviceId) as { n: number };
      if (live.n >= max)
        return { ok: false, status: Status.WALLET_FULL, detail: `the band already holds ${live.n} cards` };
      const r = this.db
        .prepare(`INSERT INTO cards (card_ref, device_id, kind, issuer_id, issuer, last4, is_default, city, currency, balance, fare_cap, state, last_counter, created_at)
          VALUES (@cardRef, @deviceId, @kind, @issuerId, @issuer, @last4, @isDefault, @city, @currency, @balance, @fareCap, @state, @lastCounter, @createdAt)
          ON CONFLICT (card_ref) DO NOTHING`)
        .run({ ...row, isDefault: row.isDefault ? 1 : 0 });
      if (r.changes === 0) return { ok: false, status: Status.CONFLICT, detail: 'cardRef taken', idTaken: true };
      return { ok: true, value: row };
    })();
  }

  async card(cardRef: string): Promise<CardRow | undefined> {
    return card(this.db.prepare(`SELECT ${CARD_COLUMNS} FROM cards WHERE card_ref = ?`).get(cardRef));
  }

  async cards(deviceId: string): Promise<CardRow[]> {
    const rows = this.db
      .prepare(`SELECT ${CARD_COLUMNS} FROM cards WHERE device_id = ? ORDER BY created_at, card_ref`)
      .all(deviceId);
    return rows.map((r) => card(r) as CardRow);
  }

  async setCardState(cardRef: string, state: CardState): Promise<void> {
    this.db.prepare('UPDATE cards SET state = ? WHERE card_ref = ?').run(state, cardRef);
  }
}
