/** The identity tables' column lists and row mappers, for both SQL stores (rows.ts's pattern). */
import type { IdentityCeremonyRow, IdentityCredentialRow } from '../identity-store.ts';
import { bytes, bytesOrNull } from './rows.ts';

export const CREDENTIAL_COLUMNS = `id, account_id AS accountId, device_id AS deviceId, public_key AS publicKey, counter,
  required, created_at AS createdAt, last_used_at AS lastUsedAt`;
export const CEREMONY_COLUMNS = `id, kind, code, account_id AS accountId, challenge, origin, rp_id AS rpId,
  expires_at AS expiresAt, state, result_account_id AS resultAccountId, device_id AS deviceId, browser_hash AS browserHash,
  created_at AS createdAt`;

export function credential(r: unknown): IdentityCredentialRow | undefined {
  if (!r) return undefined;
  const c = r as Omit<IdentityCredentialRow, 'required'> & { required: number };
  return { ...c, publicKey: bytes(c.publicKey), required: c.required === 1 };
}

export function ceremony(r: unknown): IdentityCeremonyRow | undefined {
  if (!r) return undefined;
  const c = r as IdentityCeremonyRow;
  return { ...c, browserHash: bytesOrNull(c.browserHash) };
}

/** The ceremony's columns in insert order, with their values. */
export function ceremonyValues(c: IdentityCeremonyRow): unknown[] {
  return [
    c.id,
    c.kind,
    c.code,
    c.accountId,
    c.challenge,
    c.origin,
    c.rpId,
    c.expiresAt,
    c.state,
    c.resultAccountId,
    c.deviceId,
    c.browserHash,
    c.createdAt,
  ];
}
export const CEREMONY_INSERT_COLUMNS =
  'id, kind, code, account_id, challenge, origin, rp_id, expires_at, state, result_account_id, device_id, browser_hash, created_at';

export function credentialValues(c: IdentityCredentialRow): unknown[] {
  return [c.id, c.accountId, c.deviceId, c.publicKey, c.counter, c.required ? 1 : 0, c.createdAt, c.lastUsedAt];
}
export const CREDENTIAL_INSERT_COLUMNS =
  'id, account_id, device_id, public_key, counter, required, created_at, last_used_at';
