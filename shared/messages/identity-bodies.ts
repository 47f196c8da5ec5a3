/**
 * The two identity challenges (docs/PROTOCOL.md §9): the band as a WebAuthn authenticator
 * for a relying party the checkout names. The band sees the RP ID (it hashes it itself and
 * shows it) and the hash of the client data the bridge built, never the client data.
 */
import type { CborMap } from '../cbor/types.ts';
import { addFields } from './envelope.ts';
import type { Fields } from './fields.ts';
import { ChallengeBodyKey } from './keys.ts';

/** A WebAuthn credential id made by the band: 16 random bytes. */
export const CREDENTIAL_ID_BYTES = 16;

interface IdentityCommon {
  deviceId: Uint8Array;
  nonce: Uint8Array;
  expiry: number;
  /** The RP ID (a host name), at most 253 bytes. */
  rpId: string;
  /** SHA-256 of the clientDataJSON (WebAuthn §5.8.1). */
  clientDataHash: Uint8Array;
}
/** Make a credential for `rpId` (authenticatorMakeCredential, "none" attestation). */
export interface IdentityRegisterChallenge extends IdentityCommon {
  kind: 'identity-register';
}
/** Sign an assertion for `rpId`; `credentialId` when the RP allows only that credential. */
export interface IdentityAssertChallenge extends IdentityCommon {
  kind: 'identity-assert';
  credentialId?: Uint8Array;
}
export type IdentityChallenge = IdentityRegisterChallenge | IdentityAssertChallenge;

/** The identity fields of a challenge whose common fields are in `head` (bodies.ts). */
export function readIdentity(f: Fields, head: IdentityCommon & { kind: IdentityChallenge['kind'] }): IdentityChallenge {
  const b = head as IdentityAssertChallenge;
  // Its shape (a host name) is the checkout's to check: the band hashes and shows what it signed.
  b.rpId = f.text(ChallengeBodyKey.RP_ID, { max: 253 });
  b.clientDataHash = f.bytes(ChallengeBodyKey.CLIENT_DATA_HASH, { len: 32 });
  if (head.kind === 'identity-assert') {
    const id = f.bytes(ChallengeBodyKey.CREDENTIAL_ID, { len: CREDENTIAL_ID_BYTES, optional: true });
    if (id !== undefined) b.credentialId = id;
  }
  return b;
}

export function identityToCbor(m: CborMap, b: IdentityChallenge): CborMap {
  return addFields(m, [
    [ChallengeBodyKey.RP_ID, b.rpId],
    [ChallengeBodyKey.CLIENT_DATA_HASH, b.clientDataHash],
    [ChallengeBodyKey.CREDENTIAL_ID, b.kind === 'identity-assert' ? b.credentialId : undefined],
  ]);
}
