/** PostgreSQL: accounts, sessions and enrollment offers. */
import { Status } from '../../shared/status/codes.ts';
import { ACCOUNT_COLUMNS, account, bytes } from '../sql/rows.ts';
import type { AccountRow, AccountStore, Commit, EnrollOfferRow, SessionRow } from '../store.ts';
import { type PgDatabase, quoteAliases, uniqueViolation } from './connect.ts';

const ACCOUNT = quoteAliases(ACCOUNT_COLUMNS);

export class PgAccounts implements AccountStore {
  constructor(private readonly db: PgDatabase) {}

  async create(row: AccountRow, nameKey: string | null = null): Promise<Commit<AccountRow>> {
    try {
      await this.db.query(
        `INSERT INTO accounts (id, username, kind, display_name, password_hash, password_salt, pay_hash, pay_salt,
          limit_per_payment, limit_per_day, created_at, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          row.id,
          row.username,
          row.kind,
          row.displayName,
          row.passwordHash,
          row.passwordSalt,
          row.payHash,
          row.paySalt,
          row.limitPerPayment,
          row.limitPerDay,
          row.createdAt,
          nameKey,
        ],
      );
      return { ok: true, value: row };
    } catch (e) {
      // The violated constraint says which of the three was taken.
      const constraint = uniqueViolation(e);
      if (constraint === undefined) throw e;
      if (constraint === 'accounts_username_key')
        return { ok: false, status: Status.CONFLICT, detail: 'username taken' };
      if (constraint === 'accounts_name_key')
        return { ok: false, status: Status.CONFLICT, detail: 'display name taken' };
      return { ok: false, status: Status.CONFLICT, detail: 'account id taken', idTaken: true };
    }
  }

  async byId(id: string): Promise<AccountRow | undefined> {
    return account((await this.db.query(`SELECT ${ACCOUNT} FROM accounts WHERE id = $1`, [id])).rows[0]);
  }

  async byUsername(username: string): Promise<AccountRow | undefined> {
    return account((await this.db.query(`SELECT ${ACCOUNT} FROM accounts WHERE username = $1`, [username])).rows[0]);
  }

  async createSession(row: SessionRow, maxPerAccount: number): Promise<void> {
    // One statement: the insert, then the account's oldest beyond the cap out (the new one always stays).
    await this.db.query(
      `WITH ins AS (
         INSERT INTO sessions (token_hash, account_id, csrf, expires_at, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING token_hash)
       DELETE FROM sessions WHERE account_id = $2 AND token_hash <> $1 AND token_hash NOT IN (
         SELECT token_hash FROM sessions WHERE account_id = $2 AND token_hash <> $1 ORDER BY created_at DESC LIMIT $6)`,
      [row.tokenHash, row.accountId, row.csrf, row.expiresAt, row.createdAt, Math.max(0, maxPerAccount - 1)],
    );
  }

  async session(tokenHash: Uint8Array): Promise<SessionRow | undefined> {
    const r = await this.db.query<SessionRow>(
      `SELECT token_hash AS "tokenHash", account_id AS "accountId", csrf, expires_at AS "expiresAt", created_at AS "createdAt"
       FROM sessions WHERE token_hash = $1`,
      [tokenHash],
    );
    const s = r.rows[0];
    return s ? { ...s, tokenHash: bytes(s.tokenHash) } : undefined;
  }

  async deleteSession(tokenHash: Uint8Array): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async createEnrollOffer(row: EnrollOfferRow): Promise<void> {
    await this.db.query('INSERT INTO enroll_offers (id, account_id, nonce, expires_at) VALUES ($1, $2, $3, $4)', [
      row.id,
      row.accountId,
      row.nonce,
      row.expiresAt,
    ]);
  }

  async takeEnrollOffer(id: string): Promise<EnrollOfferRow | undefined> {
    // DELETE … RETURNING: of two callers racing for one offer, only the one whose DELETE
    // removed the row gets it (a SELECT then DELETE handed it to both).
    const r = await this.db.query<EnrollOfferRow>(
      'DELETE FROM enroll_offers WHERE id = $1 RETURNING id, account_id AS "accountId", nonce, expires_at AS "expiresAt"',
      [id],
    );
    const o = r.rows[0];
    return o ? { ...o, nonce: bytes(o.nonce) } : undefined;
  }
}
