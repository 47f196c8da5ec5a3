/**
 * The identity API's JSON (docs/CHECKOUT.md "Sign in with your band"; PROTOCOL.md §9): what
 * the bridge and the waiting page send and get. Bytes are base64url; the WebAuthn objects are
 * the JSON forms of W3C WebAuthn Level 3 (§5.1.8, §5.2.4, §5.4, §5.5).
 */
import type { AccountView } from './views.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from './webauthn.ts';

/** PublicKeyCredentialCreationOptionsJSON, as far as the bridge reads it. */
export interface CreationOptionsJson {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  timeout?: number;
}
export interface RegistrationStartJson {
  ceremonyId: string;
  options: CreationOptionsJson;
}
/** The band behind `hello` is asked to sign the clientDataJSON (base64url) the bridge built. */
export interface IdentityChallengeRequest {
  hello: string;
  clientDataJSON: string;
}
export interface RegistrationFinishRequest {
  response: RegistrationResponseJSON;
  /** Ask for the band after the password from now on. */
  required?: boolean;
}
export interface CredentialJson {
  credentialId: string;
  deviceId: string;
  publicKeyJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  counter: number;
  required: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}
export interface LoginStartRequest {
  /** With both, the account's password first: its band is then the second factor. */
  username?: string;
  password?: string;
}
export interface LoginStartJson {
  ceremonyId: string;
  code: string;
  secret: string;
  expiresAt: number;
}
/** PublicKeyCredentialRequestOptionsJSON. */
export interface RequestOptionsJson {
  challenge: string;
  rpId: string;
  timeout: number;
  userVerification: 'required';
  allowCredentials: Array<{ id: string; type: 'public-key'; transports: string[] }>;
}
export interface LoginFinishRequest {
  response: AuthenticationResponseJSON;
}
export type LoginStateJson =
  | { state: 'waiting'; expiresAt: number; code: string }
  | { state: 'signed-in'; token: string; expiresAt: number; account: AccountView };
/** What an identity challenge's band made: the parts of the WebAuthn response (signature in DER). */
export interface IdentityAnswerJson {
  authenticatorData: string;
  signature?: string;
  credentialId?: string;
}
