/**
 * The identity part of the checkout's store (store.ts CheckoutStore.identity): the bands'
 * WebAuthn credentials (public key and signature counter) and the ceremonies that make and
 * use them (docs/CHECKOUT.md "Sign in with your band"). One concept, its own file.
 */
import type { Commit } from './commit.ts';

export interface IdentityCredentialRow {
  /** The credential id, base64url (16 random bytes the band made). */
  id: string;
  accountId: string;
  /** The band that holds the key. */
  deviceId: string;
  /** The COSE_Key from the registration's authenticator data. */
  publicKey: Uint8Array;
  /** The highest signature counter seen; an assertion must come with a higher one. */
  counter: number;
  /** The account asks for its band after the password (second factor). */
  required: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

/**
 * One ceremony: 'register' (an owner's bridge makes a credential for the owner's account) or
 * 'login' (a browser waits while a bridge signs in with a band). `code` is what the owner
 * types at the bridge for a login; `accountId` is the owner (register) or, for a login after
 * the password, the account whose band must answer (null: passwordless, any registered band).
 * open → done (verified, `resultAccountId` set) → taken (the browser got its session); or
 * open → refused (a counter that did not rise: nobody signs in with it).
 */
export interface IdentityCeremonyRow {
  id: string;
  kind: 'register' | 'login';
  code: string | null;
  accountId: string | null;
  /** base64url, as the options carry it. */
  challenge: string;
  origin: string;
  rpId: string;
  expiresAt: number;
  state: 'open' | 'done' | 'taken' | 'refused';
  resultAccountId: string | null;
  /** The band the ceremony's challenge went to (bindDevice): only its credential may answer. */
  deviceId: string | null;
  /** SHA-256 of the waiting browser's secret (login): only that browser takes the session. */
  browserHash: Uint8Array | null;
  createdAt: number;
}

export interface IdentityStore {
  /**
   * Inserts the ceremony (and deletes ceremonies expired by `now`: they are never swept
   * otherwise). A taken code refuses with CONFLICT and `idTaken`.
   */
  createCeremony(row: IdentityCeremonyRow, now: number): Promise<Commit<IdentityCeremonyRow>>;
  ceremony(id: string): Promise<IdentityCeremonyRow | undefined>;
  ceremonyByCode(code: string): Promise<IdentityCeremonyRow | undefined>;
  /**
   * One transaction: the ceremony, still open and unexpired at `now`, becomes done and the
   * credential is stored (replacing one with the same id). REPLAYED when it was not open,
   * EXPIRED when it expired, IDENTITY_FULL when the account has `max` credentials already.
   */
  finishRegistration(
    ceremonyId: string,
    credential: IdentityCredentialRow,
    now: number,
    max: number,
  ): Promise<Commit<IdentityCredentialRow>>;
  /**
   * One transaction: the login ceremony, still open and unexpired, becomes done for the
   * credential's account, and the credential's counter rises to `counter`. REPLAYED when the
   * ceremony was not open (a second sign-in with one challenge), EXPIRED, UNKNOWN_CREDENTIAL,
   * COUNTER_NOT_INCREASING when `counter` is not above the stored one (unless both are 0).
   */
  finishLogin(ceremonyId: string, credentialId: string, counter: number, now: number): Promise<Commit<string>>;
  /** The browser whose secret hashes to `browserHash` takes a done login once: its account id. */
  takeLogin(ceremonyId: string, browserHash: Uint8Array): Promise<string | undefined>;
  /** Records the band a ceremony's challenge goes to; false when the ceremony is not open and unexpired. */
  bindDevice(ceremonyId: string, deviceId: string, now: number): Promise<boolean>;
  credential(id: string): Promise<IdentityCredentialRow | undefined>;
  credentialsOf(accountId: string): Promise<IdentityCredentialRow[]>;
  /** Sets whether the account asks for its band after the password (on all its credentials). */
  setRequired(accountId: string, required: boolean): Promise<void>;
}
