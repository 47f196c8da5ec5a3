/** SQLite: accounts, sessions and enrollment offers. */
import { Status } from '../../shared/status/codes.ts';
import type { AccountRow, AccountStore, Commit, EnrollOfferRow, SessionRow } from '../store.ts';
import { ACCOUNT_COLUMNS, account, bytes } from '../sql/rows.ts';
import type { Db } from './open.ts';

export class SqliteAccounts implements AccountStore {
  constructor(private readonly db: Db) {}

  async create(row: AccountRow, nameKey: string | null = null): Promise<Commit<AccountRow>> {
    // Any of three constraints may refuse (the username, the display-name key, or the random
    // id): one transaction tells which.
    return this.db.transaction((): Commit<AccountRow> => {
      const r = this.db
        .prepare(`INSERT INTO accounts (id, username, kind, display_name, password_hash, password_salt, pay_hash, pay_salt,
          limit_per_payment, limit_per_day, created_at, name_key)
          VALUES (@id, @username, @kind, @displayName, @passwordHash, @passwordSalt, @payHash, @paySalt,
          @limitPerPayment, @limitPerDay, @createdAt, @nameKey) ON CONFLICT DO NOTHING`)
        .run({ ...row, nameKey });
      if (r.changes === 1) return { ok: true, value: row };
      if (this.db.prepare('SELECT 1 FROM accounts WHERE username = ?').get(row.username))
        return { ok: false, status: Status.CONFLICT, detail: 'username taken' };
      if (nameKey !== null && this.db.prepare('SELECT 1 FROM accounts WHERE name_key = ?').get(nameKey)) {
        return { ok: false, status: Status.CONFLICT, detail: 'display name taken' };
      }
      return { ok: false, status: Status.CONFLICT, detail: 'account id taken', idTaken: true };
    })();
  }

  async byId(id: string): Promise<AccountRow | undefined> {
    return account(this.db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ?`).get(id));
  }

  async byUsername(username: string): Promise<AccountRow | undefined> {
    return account(this.db.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE username = ?`).get(username));
  }

  async createSession(row: SessionRow, maxPerAccount: number): Promise<void> {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO sessions (token_hash, account_id, csrf, expires_at, created_at) VALUES (@tokenHash, @accountId, @csrf, @expiresAt, @createdAt)',
        )
        .run(row);
      // Oldest first out: whoever holds the password can always log in, and the account never
      // holds more than the cap. The new session is kept whatever its clock tie with others.
      this.db
        .prepare(`DELETE FROM sessions WHERE account_id = @accountId AND token_hash <> @tokenHash AND token_hash NOT IN (
          SELECT token_hash FROM sessions WHERE account_id = @accountId AND token_hash <> @tokenHash ORDER BY created_at DESC LIMIT @keep)`)
        .run({ accountId: row.accountId, tokenHash: row.tokenHash, keep: Math.max(0, maxPerAccount - 1) });
    })();
  }

  async session(tokenHash: Uint8Array): Promise<SessionRow | undefined> {
    const r = this.db
      .prepare(
        'SELECT token_hash AS tokenHash, account_id AS accountId, csrf, expires_at AS expiresAt, created_at AS createdAt FROM sessions WHERE token_hash = ?',
      )
      .get(tokenHash) as SessionRow | undefined;
    return r ? { ...r, tokenHash: bytes(r.tokenHash) } : undefined;
  }

  async deleteSession(tokenHash: Uint8Array): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  async createEnrollOffer(row: EnrollOfferRow): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO enroll_offers (id, account_id, nonce, expires_at) VALUES (@id, @accountId, @nonce, @expiresAt)',
      )
      .run(row);
  }

  async takeEnrollOffer(id: string): Promise<EnrollOfferRow | undefined> {
    return this.db.transaction(() => {
      const r = this.db
        .prepare('SELECT id, account_id AS accountId, nonce, expires_at AS expiresAt FROM enroll_offers WHERE id = ?')
        .get(id) as EnrollOfferRow | undefined;
      if (!r) return undefined;
      this.db.prepare('DELETE FROM enroll_offers WHERE id = ?').run(id);
      return { ...r, nonce: bytes(r.nonce) };
    })();
  }
}
