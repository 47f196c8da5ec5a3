/** PostgreSQL: the bands' WebAuthn credentials and their ceremonies (as sqlite/identity.ts, in serializable transactions). */
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
import { type PgDatabase, type Queryable, quoteAliases } from './connect.ts';

const CEREMONY = quoteAliases(CEREMONY_COLUMNS);
const CREDENTIAL = quoteAliases(CREDENTIAL_COLUMNS);
const params = (n: number) => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');

/** Open → done, or why not (inside the caller's transaction). */
async function close(q: Queryable, id: string, now: number, resultAccountId: string): Promise<Commit<true>> {
  const r = await q.query(
    `UPDATE identity_ceremonies SET state = 'done', result_account_id = $1
     WHERE id = $2 AND state = 'open' AND expires_at > $3`,
    [resultAccountId, id, now],
  );
  if (r.rowCount === 1) return { ok: true, value: true };
  const c = (await q.query<{ state: string }>('SELECT state FROM identity_ceremonies WHERE id = $1', [id])).rows[0];
  if (c && c.state === 'open') return { ok: false, status: Status.EXPIRED, detail: 'the ceremony expired' };
  return { ok: false, status: Status.REPLAYED, detail: 'the ceremony is finished already' };
}

export class PgIdentity implements IdentityStore {
  constructor(private readonly db: PgDatabase) {}

  async createCeremony(row: IdentityCeremonyRow, now: number): Promise<Commit<IdentityCeremonyRow>> {
    return this.db.tx(async (q): Promise<Commit<IdentityCeremonyRow>> => {
      await q.query('DELETE FROM identity_ceremonies WHERE expires_at <= $1', [now]);
      const r = await q.query(
        `INSERT INTO identity_ceremonies (${CEREMONY_INSERT_COLUMNS}) VALUES (${params(13)}) ON CONFLICT DO NOTHING`,
        ceremonyValues(row),
      );
      if (r.rowCount !== 1)
        return { ok: false, status: Status.CONFLICT, detail: 'ceremony id or code taken', idTaken: true };
      return { ok: true, value: row };
    });
  }

  async ceremony(id: string): Promise<IdentityCeremonyRow | undefined> {
    return ceremony((await this.db.query(`SELECT ${CEREMONY} FROM identity_ceremonies WHERE id = $1`, [id])).rows[0]);
  }

  async ceremonyByCode(code: string): Promise<IdentityCeremonyRow | undefined> {
    return ceremony(
      (await this.db.query(`SELECT ${CEREMONY} FROM identity_ceremonies WHERE code = $1`, [code])).rows[0],
    );
  }

  async finishRegistration(
    ceremonyId: string,
    row: IdentityCredentialRow,
    now: number,
    max: number,
  ): Promise<Commit<IdentityCredentialRow>> {
    return this.db.tx(async (q): Promise<Commit<IdentityCredentialRow>> => {
      const n = (
        await q.query<{ n: number }>(
          'SELECT COUNT(*)::int AS n FROM identity_credentials WHERE account_id = $1 AND id <> $2',
          [row.accountId, row.id],
        )
      ).rows[0].n;
      if (n >= max)
        return { ok: false, status: Status.IDENTITY_FULL, detail: `the account has ${max} sign-in keys already` };
      const closed = await close(q, ceremonyId, now, row.accountId);
      if (!closed.ok) return closed;
      await q.query('DELETE FROM identity_credentials WHERE (device_id = $1 AND account_id = $2) OR id = $3', [
        row.deviceId,
        row.accountId,
        row.id,
      ]);
      await q.query(
        `INSERT INTO identity_credentials (${CREDENTIAL_INSERT_COLUMNS}) VALUES (${params(8)})`,
        credentialValues(row),
      );
      return { ok: true, value: row };
    });
  }

  async finishLogin(ceremonyId: string, credentialId: string, counter: number, now: number): Promise<Commit<string>> {
    return this.db.tx(async (q): Promise<Commit<string>> => {
      const cred = credential(
        (await q.query(`SELECT ${CREDENTIAL} FROM identity_credentials WHERE id = $1`, [credentialId])).rows[0],
      );
      if (!cred) return { ok: false, status: Status.UNKNOWN_CREDENTIAL, detail: 'no such credential' };
      const closed = await close(q, ceremonyId, now, cred.accountId);
      if (!closed.ok) return closed;
      const raised = await q.query(
        `UPDATE identity_credentials SET counter = $1, last_used_at = $2
         WHERE id = $3 AND (counter < $1 OR (counter = 0 AND $1 = 0))`,
        [counter, now, credentialId],
      );
      if (raised.rowCount === 1) return { ok: true, value: cred.accountId };
      await q.query(`UPDATE identity_ceremonies SET state = 'refused', result_account_id = NULL WHERE id = $1`, [
        ceremonyId,
      ]);
      return {
        ok: false,
        status: Status.COUNTER_NOT_INCREASING,
        detail: `counter ${counter} is not above ${cred.counter}`,
      };
    });
  }

  async takeLogin(ceremonyId: string, browserHash: Uint8Array): Promise<string | undefined> {
    const r = await this.db.query<{ a: string }>(
      `UPDATE identity_ceremonies SET state = 'taken'
       WHERE id = $1 AND kind = 'login' AND state = 'done' AND browser_hash = $2 RETURNING result_account_id AS a`,
      [ceremonyId, browserHash],
    );
    return r.rows[0]?.a;
  }

  async bindDevice(ceremonyId: string, deviceId: string, now: number): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE identity_ceremonies SET device_id = $1 WHERE id = $2 AND state = 'open' AND expires_at > $3`,
      [deviceId, ceremonyId, now],
    );
    return r.rowCount === 1;
  }

  async credential(id: string): Promise<IdentityCredentialRow | undefined> {
    return credential(
      (await this.db.query(`SELECT ${CREDENTIAL} FROM identity_credentials WHERE id = $1`, [id])).rows[0],
    );
  }

  async credentialsOf(accountId: string): Promise<IdentityCredentialRow[]> {
    const r = await this.db.query(
      `SELECT ${CREDENTIAL} FROM identity_credentials WHERE account_id = $1 ORDER BY created_at, id`,
      [accountId],
    );
    return r.rows.map((x) => credential(x) as IdentityCredentialRow);
  }

  async setRequired(accountId: string, required: boolean): Promise<void> {
    await this.db.query('UPDATE identity_credentials SET required = $1 WHERE account_id = $2', [
      required ? 1 : 0,
      accountId,
    ]);
  }
}
