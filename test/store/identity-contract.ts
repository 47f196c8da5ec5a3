/**
 * The store contract's identity part (checkout/identity-store.ts), run inside storeContract on
 * SQLite and PostgreSQL alike: ceremonies are single use and expire, two sign-ins with one
 * challenge give one session, a counter that does not rise is refused and spends the ceremony.
 */
import { expect, it } from 'vitest';
import { Status } from '../../shared/status/codes.ts';
import type { CheckoutStore, IdentityCeremonyRow, IdentityCredentialRow } from '../../checkout/store.ts';
import { account, expectOk, uid } from './rows.ts';

function ceremony(o: Partial<IdentityCeremonyRow> = {}): IdentityCeremonyRow {
  return {
    id: uid('idc'),
    kind: 'login',
    code: uid('code'),
    accountId: null,
    challenge: uid('ch'),
    origin: 'http://127.0.0.1:8420',
    rpId: '127.0.0.1',
    expiresAt: 50_000,
    state: 'open',
    resultAccountId: null,
    deviceId: null,
    browserHash: new Uint8Array([1, 2, 3]),
    createdAt: 1_000,
    ...o,
  };
}

function credential(accountId: string, o: Partial<IdentityCredentialRow> = {}): IdentityCredentialRow {
  return {
    id: uid('cred'),
    accountId,
    deviceId: uid('dev'),
    publicKey: new Uint8Array([0xa5, 1, 2]),
    counter: 0,
    required: false,
    createdAt: 1_000,
    lastUsedAt: null,
    ...o,
  };
}

/** An owner with one registered credential (registered through a ceremony, as the checkout does). */
async function registered(s: CheckoutStore): Promise<IdentityCredentialRow> {
  const o = account();
  expectOk(await s.accounts.create(o));
  const reg = expectOk(await s.identity.createCeremony(ceremony({ kind: 'register', code: null, accountId: o.id }), 1));
  return expectOk(await s.identity.finishRegistration(reg.id, credential(o.id), 2_000, 4));
}

/** `pair`: the two stores on one database of the current contract test (contract.ts StorePair). */
export function identityContract(pair: () => { a: CheckoutStore; b: CheckoutStore }): void {
  it('identity: a registration ceremony finishes once, stores the credential, and refuses a fifth', async () => {
    const { a, b } = pair();
    const cred = await registered(a);
    expect(await b.identity.credential(cred.id)).toEqual(cred);
    expect(await b.identity.credentialsOf(cred.accountId)).toEqual([cred]);
    const reg = expectOk(
      await a.identity.createCeremony(ceremony({ kind: 'register', code: null, accountId: cred.accountId }), 1),
    );
    expectOk(await b.identity.finishRegistration(reg.id, credential(cred.accountId), 2_000, 4));
    expect(await a.identity.finishRegistration(reg.id, credential(cred.accountId), 2_000, 4)).toMatchObject({
      ok: false,
      status: Status.REPLAYED,
    });
    for (let i = 0; i < 2; i++) {
      const r = expectOk(
        await a.identity.createCeremony(ceremony({ kind: 'register', code: null, accountId: cred.accountId }), 1),
      );
      expectOk(await a.identity.finishRegistration(r.id, credential(cred.accountId), 2_000, 4));
    }
    const r = expectOk(
      await a.identity.createCeremony(ceremony({ kind: 'register', code: null, accountId: cred.accountId }), 1),
    );
    expect(await b.identity.finishRegistration(r.id, credential(cred.accountId), 2_000, 4)).toMatchObject({
      ok: false,
      status: Status.IDENTITY_FULL,
    });
    await a.identity.setRequired(cred.accountId, true);
    expect((await b.identity.credentialsOf(cred.accountId)).every((c) => c.required)).toBe(true);
  });

  it('identity: a login code is unique; two sign-ins with one challenge at once sign in one', async () => {
    const { a, b } = pair();
    const cred = await registered(a);
    const c = expectOk(await a.identity.createCeremony(ceremony(), 1));
    expect(await b.identity.createCeremony(ceremony({ code: c.code }), 1)).toMatchObject({ ok: false, idTaken: true });
    expect(await b.identity.ceremonyByCode(c.code as string)).toEqual(c);
    const got = await Promise.all([
      a.identity.finishLogin(c.id, cred.id, 1, 3_000),
      b.identity.finishLogin(c.id, cred.id, 2, 3_000),
      a.identity.finishLogin(c.id, cred.id, 3, 3_000),
      b.identity.finishLogin(c.id, cred.id, 4, 3_000),
    ]);
    expect(got.filter((x) => x.ok)).toHaveLength(1);
    for (const x of got.filter((y) => !y.ok)) expect(x).toMatchObject({ status: Status.REPLAYED });
    // The browser with the secret takes the session once; another browser never.
    expect(await b.identity.takeLogin(c.id, new Uint8Array([9]))).toBeUndefined();
    expect(await a.identity.takeLogin(c.id, new Uint8Array([1, 2, 3]))).toBe(cred.accountId);
    expect(await b.identity.takeLogin(c.id, new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  it('identity: an expired ceremony, an unknown credential, a counter that goes back', async () => {
    const { a, b } = pair();
    const cred = await registered(a);
    const old = expectOk(await a.identity.createCeremony(ceremony({ expiresAt: 3_000 }), 1));
    expect(await b.identity.finishLogin(old.id, cred.id, 1, 3_000)).toMatchObject({ status: Status.EXPIRED });
    const c = expectOk(await a.identity.createCeremony(ceremony(), 1));
    expect(await b.identity.finishLogin(c.id, 'nope', 1, 3_000)).toMatchObject({ status: Status.UNKNOWN_CREDENTIAL });
    expect(await b.identity.finishLogin(c.id, cred.id, 5, 3_000)).toEqual({ ok: true, value: cred.accountId });
    expect((await a.identity.credential(cred.id))?.counter).toBe(5);
    const d = expectOk(await a.identity.createCeremony(ceremony(), 1));
    expect(await b.identity.finishLogin(d.id, cred.id, 5, 3_000)).toMatchObject({
      status: Status.COUNTER_NOT_INCREASING,
    });
    // Spent, and signed in to nobody; the counter stays.
    expect(await a.identity.ceremony(d.id)).toMatchObject({ state: 'refused', resultAccountId: null });
    expect(await a.identity.takeLogin(d.id, new Uint8Array([1, 2, 3]))).toBeUndefined();
    expect((await a.identity.credential(cred.id))?.counter).toBe(5);
    // Creating a ceremony clears the expired ones.
    expectOk(await b.identity.createCeremony(ceremony(), 3_001));
    expect(await a.identity.ceremony(old.id)).toBeUndefined();
  });
}
