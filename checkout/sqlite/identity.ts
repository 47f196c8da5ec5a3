/**
 * SQLite: the bands' WebAuthn credentials and their ceremonies. Each finish is one
 * transaction whose conditional UPDATEs are the checks (open, unexpired, counter above), so
 * two sign-ins with one challenge, or a replayed assertion, change nothing the second time.
 */
import { Status } from '../../shared/status/codes.ts';
import type { Commit, IdentityCeremonyRow, IdentityCredentialRow, IdentityStore } from '../store.ts';
import {
  CEREMONY_COLUMNS,
  CEREMONY_INSERT_COLUMNS,
  CREDENTIAL_COLUMNS,
  CREDENTIAL_INSERT_COLUMNS,
  ceremony,
  ceremonyValues,
  credential,
  credentialValues,
} from '../sql/identity.ts';
import type { Db } from './open.ts';

export class SqliteIdentity implements IdentityStore {
  constructor(private readonly db: Db) {}

  async createCeremony(row: IdentityCeremonyRow, now: number): Promise<Commit<IdentityCeremonyRow>> {
    return this.db.transaction((): Commit<IdentityCeremonyRow> => {
      this.db.prepare('DELETE FROM identity_ceremonies WHERE expires_at <= ?').run(now);
      const r = this.db
        .prepare(`INSERT INTO identity_ceremonies (${CEREMONY_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT DO NOTHING`)
        .run(...ceremonyValues(row));
      if (r.changes !== 1)
        return { ok: false, status: Status.CONFLICT, detail: 'ceremony id or code taken', idTaken: true };
      return { ok: true, value: row };
    })();
  }

  async ceremony(id: string): Promise<IdentityCeremonyRow | undefined> {
    return ceremony(this.db.prepare(`SELECT ${CEREMONY_COLUMNS} FROM identity_ceremonies WHERE id = ?`).get(id));
  }

  async ceremonyByCode(code: string): Promise<IdentityCeremonyRow | undefined> {
    return ceremony(this.db.prepare(`SELECT ${CEREMONY_COLUMNS} FROM identity_ceremonies WHERE code = ?`).get(code));
  }

  /** Open → done, or why not (inside the caller's transaction). */
  private close(id: string, now: number, resultAccountId: string | null): Commit<true> {
    const r = this.db
      .prepare(`UPDATE identity_ceremonies SET state = 'done', result_account_id = ?
        WHERE id = ? AND state = 'open' AND expires_at > ?`)
      .run(resultAccountId, id, now);
    if (r.changes === 1) return { ok: true, value: true };
    const c = this.db.prepare('SELECT state FROM identity_ceremonies WHERE id = ?').get(id) as
      | { state: string }
      | undefined;
    if (c && c.state === 'open') return { ok: false, status: Status.EXPIRED, detail: 'the ceremony expired' };
    return { ok: false, status: Status.REPLAYED, detail: 'the ceremony is finished already' };
  }

  async finishRegistration(
    ceremonyId: string,
    row: IdentityCredentialRow,
    now: number,
    max: number,
  ): Promise<Commit<IdentityCredentialRow>> {
    return this.db.transaction((): Commit<IdentityCredentialRow> => {
      const n = this.db
        .prepare('SELECT COUNT(*) AS n FROM identity_credentials WHERE account_id = ? AND id <> ?')
        .get(row.accountId, row.id) as { n: number };
      if (n.n >= max)
        return { ok: false, status: Status.IDENTITY_FULL, detail: `the account has ${max} sign-in keys already` };
      const closed = this.close(ceremonyId, now, row.accountId);
      if (!closed.ok) return closed;
      // A band registered again at this checkout made a new key in the same slot: the old one is gone.
      this.db
        .prepare('DELETE FROM identity_credentials WHERE (device_id = ? AND account_id = ?) OR id = ?')
        .run(row.deviceId, row.accountId, row.id);
      this.db
        .prepare(`INSERT INTO identity_credentials (${CREDENTIAL_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(...credentialValues(row));
      return { ok: true, value: row };
    })();
  }

  async finishLogin(ceremonyId: string, credentialId: string, counter: number, now: number): Promise<Commit<string>> {
    return this.db.transaction((): Commit<string> => {
      const cred = credential(
        this.db.prepare(`SELECT ${CREDENTIAL_COLUMNS} FROM identity_credentials WHERE id = ?`).get(credentialId),
      );
      if (!cred) return { ok: false, status: Status.UNKNOWN_CREDENTIAL, detail: 'no such credential' };
      const closed = this.close(ceremonyId, now, cred.accountId);
      if (!closed.ok) return closed;
      const raised = this.db
        .prepare(`UPDATE identity_credentials SET counter = ?, last_used_at = ?
          WHERE id = ? AND (counter < ? OR (counter = 0 AND ? = 0))`)
        .run(counter, now, credentialId, counter, counter);
      if (raised.changes === 1) return { ok: true, value: cred.accountId };
      // A counter that does not rise is a cloned or replayed key: the ceremony is spent, signed in to nobody.
      this.db
        .prepare(`UPDATE identity_ceremonies SET state = 'refused', result_account_id = NULL WHERE id = ?`)
        .run(ceremonyId);
      return {
        ok: false,
        status: Status.COUNTER_NOT_INCREASING,
        detail: `counter ${counter} is not above ${cred.counter}`,
      };
    })();
  }

  async takeLogin(ceremonyId: string, browserHash: Uint8Array): Promise<string | undefined> {
    const r = this.db
      .prepare(`UPDATE identity_ceremonies SET state = 'taken'
        WHERE id = ? AND kind = 'login' AND state = 'done' AND browser_hash = ? RETURNING result_account_id AS a`)
      .get(ceremonyId, browserHash) as { a: string } | undefined;
    return r?.a;
  }

  async bindDevice(ceremonyId: string, deviceId: string, now: number): Promise<boolean> {
    const r = this.db
      .prepare(`UPDATE identity_ceremonies SET device_id = ? WHERE id = ? AND state = 'open' AND expires_at > ?`)
      .run(deviceId, ceremonyId, now);
    return r.changes === 1;
  }

  async credential(id: string): Promise<IdentityCredentialRow | undefined> {
    return credential(this.db.prepare(`SELECT ${CREDENTIAL_COLUMNS} FROM identity_credentials WHERE id = ?`).get(id));
  }

  async credentialsOf(accountId: string): Promise<IdentityCredentialRow[]> {
    return this.db
      .prepare(`SELECT ${CREDENTIAL_COLUMNS} FROM identity_credentials WHERE account_id = ? ORDER BY created_at, id`)
      .all(accountId)
      .map((r) => credential(r) as IdentityCredentialRow);
  }

  async setRequired(accountId: string, required: boolean): Promise<void> {
    this.db
      .prepare('UPDATE identity_credentials SET required = ? WHERE account_id = ?')
      .run(required ? 1 : 0, accountId);
  }
}
