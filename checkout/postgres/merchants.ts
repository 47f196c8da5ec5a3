/** PostgreSQL: one-time pairing codes and the terminals they paired. */
import { Status } from '../../shared/status/codes.ts';
import { CODE_COLUMNS, TERMINAL_COLUMNS, terminal } from '../sql/rows.ts';
import type { Commit, MerchantStore, PairingCodeRow, TerminalRow } from '../store.ts';
import { type PgDatabase, quoteAliases } from './connect.ts';

const CODE = quoteAliases(CODE_COLUMNS);
const TERMINAL = quoteAliases(TERMINAL_COLUMNS);

export class PgMerchants implements MerchantStore {
  constructor(private readonly db: PgDatabase) {}

  async createPairingCode(row: PairingCodeRow): Promise<void> {
    await this.db.query('INSERT INTO pairing_codes (code, merchant_id, expires_at, used_at) VALUES ($1, $2, $3, $4)', [
      row.code,
      row.merchantId,
      row.expiresAt,
      row.usedAt,
    ]);
  }

  async takePairingCode(code: string, now: number): Promise<PairingCodeRow | undefined> {
    // The UPDATE's WHERE is the single-use check: of two terminals racing, one changes the row.
    const r = await this.db.query<PairingCodeRow>(
      `UPDATE pairing_codes SET used_at = $2 WHERE code = $1 AND used_at IS NULL AND expires_at > $2 RETURNING ${CODE}`,
      [code, now],
    );
    return r.rows[0];
  }

  async latestPairingCode(merchantId: string, now: number): Promise<PairingCodeRow | undefined> {
    const r = await this.db.query<PairingCodeRow>(
      `SELECT ${CODE} FROM pairing_codes WHERE merchant_id = $1 AND used_at IS NULL AND expires_at > $2
       ORDER BY expires_at DESC LIMIT 1`,
      [merchantId, now],
    );
    return r.rows[0];
  }

  async createTerminal(row: TerminalRow): Promise<Commit<TerminalRow>> {
    const r = await this.db.query(
      `INSERT INTO terminals (id, merchant_id, name, public_key, created_at, unpaired_at, suspended_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [row.id, row.merchantId, row.name, row.publicKey, row.createdAt, row.unpairedAt, row.suspendedAt],
    );
    if (r.rowCount === 0) return { ok: false, status: Status.CONFLICT, detail: 'terminal id taken', idTaken: true };
    return { ok: true, value: row };
  }

  async terminal(id: string): Promise<TerminalRow | undefined> {
    return terminal((await this.db.query(`SELECT ${TERMINAL} FROM terminals WHERE id = $1`, [id])).rows[0]);
  }

  async terminals(merchantId: string): Promise<TerminalRow[]> {
    const r = await this.db.query(`SELECT ${TERMINAL} FROM terminals WHERE merchant_id = $1 ORDER BY created_at`, [
      merchantId,
    ]);
    return r.rows.map((x) => terminal(x) as TerminalRow);
  }

  async unpairTerminal(id: string, merchantId: string, now: number): Promise<TerminalRow | undefined> {
    // COALESCE keeps the first unpairing time: unpairing is permanent and said once.
    const r = await this.db.query(
      `UPDATE terminals SET unpaired_at = COALESCE(unpaired_at, $3) WHERE id = $1 AND merchant_id = $2 RETURNING ${TERMINAL}`,
      [id, merchantId, now],
    );
    return terminal(r.rows[0]);
  }

  async renameTerminal(id: string, merchantId: string, name: string): Promise<TerminalRow | undefined> {
    const r = await this.db.query(
      `UPDATE terminals SET name = $3 WHERE id = $1 AND merchant_id = $2 RETURNING ${TERMINAL}`,
      [id, merchantId, name],
    );
    return terminal(r.rows[0]);
  }

  async setCategory(merchantId: string, category: string | null): Promise<void> {
    await this.db.query(`UPDATE accounts SET category = $2 WHERE id = $1 AND kind = 'merchant'`, [
      merchantId,
      category,
    ]);
  }

  async category(merchantId: string): Promise<string | null> {
    const r = await this.db.query<{ category: string | null }>('SELECT category FROM accounts WHERE id = $1', [
      merchantId,
    ]);
    return r.rows[0] ? r.rows[0].category : null;
  }
}
