/** SQLite: one-time pairing codes and the terminals they paired. */
import { Status } from '../../shared/status/codes.ts';
import type { Commit, MerchantStore, PairingCodeRow, TerminalRow } from '../store.ts';
import { CODE_COLUMNS, TERMINAL_COLUMNS, terminal } from '../sql/rows.ts';
import type { Db } from './open.ts';

export class SqliteMerchants implements MerchantStore {
  constructor(private readonly db: Db) {}

  async createPairingCode(row: PairingCodeRow): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO pairing_codes (code, merchant_id, expires_at, used_at) VALUES (@code, @merchantId, @expiresAt, @usedAt)',
      )
      .run(row);
  }

  async takePairingCode(code: string, now: number): Promise<PairingCodeRow | undefined> {
    // The UPDATE's WHERE is the single-use check: two terminals racing for one code
    // cannot both change the row.
    const r = this.db
      .prepare('UPDATE pairing_codes SET used_at = ? WHERE code = ? AND used_at IS NULL AND expires_at > ?')
      .run(now, code, now);
    if (r.changes !== 1) return undefined;
    return this.db.prepare(`SELECT ${CODE_COLUMNS} FROM pairing_codes WHERE code = ?`).get(code) as PairingCodeRow;
  }

  async latestPairingCode(merchantId: string, now: number): Promise<PairingCodeRow | undefined> {
    return this.db
      .prepare(
        `SELECT ${CODE_COLUMNS} FROM pairing_codes WHERE merchant_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY expires_at DESC LIMIT 1`,
      )
      .get(merchantId, now) as PairingCodeRow | undefined;
  }

  async createTerminal(row: TerminalRow): Promise<Commit<TerminalRow>> {
    const r = this.db
      .prepare(`INSERT INTO terminals (id, merchant_id, name, public_key, created_at, unpaired_at, suspended_at)
        VALUES (@id, @merchantId, @name, @publicKey, @createdAt, @unpairedAt, @suspendedAt) ON CONFLICT (id) DO NOTHING`)
      .run(row);
    if (r.changes === 0) return { ok: false, status: Status.CONFLICT, detail: 'terminal id taken', idTaken: true };
    return { ok: true, value: row };
  }

  async terminal(id: string): Promise<TerminalRow | undefined> {
    return terminal(this.db.prepare(`SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE id = ?`).get(id));
  }

  async terminals(merchantId: string): Promise<TerminalRow[]> {
    return this.db
      .prepare(`SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE merchant_id = ? ORDER BY created_at`)
      .all(merchantId)
      .map((r) => terminal(r) as TerminalRow);
  }

  async unpairTerminal(id: string, merchantId: string, now: number): Promise<TerminalRow | undefined> {
    // COALESCE keeps the first unpairing time: unpairing is permanent and said once.
    this.db
      .prepare('UPDATE terminals SET unpaired_at = COALESCE(unpaired_at, ?) WHERE id = ? AND merchant_id = ?')
      .run(now, id, merchantId);
    return this.ownTerminal(id, merchantId);
  }

  async renameTerminal(id: string, merchantId: string, name: string): Promise<TerminalRow | undefined> {
    this.db.prepare('UPDATE terminals SET name = ? WHERE id = ? AND merchant_id = ?').run(name, id, merchantId);
    return this.ownTerminal(id, merchantId);
  }

  private ownTerminal(id: string, merchantId: string): TerminalRow | undefined {
    return terminal(
      this.db.prepare(`SELECT ${TERMINAL_COLUMNS} FROM terminals WHERE id = ? AND merchant_id = ?`).get(id, merchantId),
    );
  }

  async setCategory(merchantId: string, category: string | null): Promise<void> {
    this.db.prepare(`UPDATE accounts SET category = ? WHERE id = ? AND kind = 'merchant'`).run(category, merchantId);
  }

  async category(merchantId: string): Promise<string | null> {
    const r = this.db.prepare('SELECT category FROM accounts WHERE id = ?').get(merchantId) as
      | { category: string | null }
      | undefined;
    return r ? r.category : null;
  }
}
