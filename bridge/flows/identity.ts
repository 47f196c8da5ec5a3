/**
 * The band as an identity key, from the bridge (docs/BRIDGE.md "identity"): the bridge plays
 * the WebAuthn client. It fetches the options, builds the clientDataJSON (the challenge, the
 * checkout's origin as this bridge reaches it), has the band make a credential or sign through
 * the usual sealed challenge, and posts the WebAuthn response for the checkout to verify.
 */
import { fromBase64Url } from '../../checkout/api/base64url.ts';
import type { CheckoutClient } from '../../checkout/api/client.ts';
import {
  finishLogin,
  finishRegistration,
  loginChallenge,
  loginOptions,
  registrationChallenge,
  startRegistration,
} from '../../checkout/api/identity-client.ts';
import type { CredentialJson } from '../../checkout/api/identity-types.ts';
import {
  type AuthenticationResponseJSON,
  attestedCredential,
  authenticationResponse,
  clientDataJson,
  registrationResponse,
} from '../../checkout/api/webauthn.ts';
import { Status } from '../../shared/status/codes.ts';
import type { BandSession } from '../relay/band-session.ts';
import { type Outcome, attempt, ok, refusal } from './outcome.ts';
import { type RelayOptions, checkoutRefusal, readHello, relayChallenge } from './relay-challenge.ts';

export interface IdentityRegistered {
  credential: CredentialJson;
  rpId: string;
}

/** What a login proves, with everything any WebAuthn library needs to check it again. */
export interface IdentityLoggedIn {
  response: AuthenticationResponseJSON;
  expectedChallenge: string;
  expectedOrigin: string;
  expectedRPID: string;
}

/** The relay of one identity challenge: hello, the checkout's challenge for it, the band's answer. */
async function ceremony(
  client: CheckoutClient,
  session: BandSession,
  issue: (hello: Uint8Array) => Promise<Awaited<ReturnType<typeof loginChallenge>>>,
  opts: RelayOptions,
): Promise<Outcome<{ authData: Uint8Array; signature?: Uint8Array; credentialId?: string }>> {
  const hello = await readHello(session, opts);
  if (!hello.ok) return hello;
  let challenge;
  try {
    challenge = await issue(hello.value.bytes);
  } catch (e) {
    return checkoutRefusal(e, client, session, opts);
  }
  const r = await relayChallenge(client, session, challenge, opts);
  if (!r.ok) return r;
  const id = r.value.identity;
  const authData = id ? fromBase64Url(id.authenticatorData) : null;
  const signature = id?.signature ? fromBase64Url(id.signature) : undefined;
  if (!id || !authData || signature === null) return refusal(Status.MALFORMED, 'checkout', 'no authenticator data');
  return ok({ authData, signature, credentialId: id.credentialId });
}

/** `wristpay bridge identity register`: the owner's worn, unlocked band becomes a sign-in key here. */
export async function registerIdentity(
  owner: CheckoutClient,
  session: BandSession,
  opts: RelayOptions & { required?: boolean } = {},
): Promise<Outcome<IdentityRegistered>> {
  const start = await attempt('checkout', () => startRegistration(owner));
  if (!start.ok) return start;
  const { ceremonyId, options } = start.value;
  const clientData = clientDataJson('webauthn.create', options.challenge, new URL(owner.baseUrl).origin);
  const made = await ceremony(
    owner,
    session,
    (hello) => registrationChallenge(owner, ceremonyId, hello, clientData),
    opts,
  );
  if (!made.ok) return made;
  const credential = attestedCredential(made.value.authData);
  if (!credential) return refusal(Status.MALFORMED, 'band', 'the authenticator data holds no credential');
  const response = registrationResponse(clientData, made.value.authData, credential);
  const done = await attempt('checkout', () => finishRegistration(owner, ceremonyId, response, opts.required));
  return done.ok ? ok({ credential: done.value, rpId: options.rp.id ?? new URL(owner.baseUrl).hostname }) : done;
}

/** `wristpay bridge identity login CODE`: the band signs the waiting sign-in in. */
export async function loginWithBand(
  client: CheckoutClient,
  session: BandSession,
  code: string,
  opts: RelayOptions = {},
): Promise<Outcome<IdentityLoggedIn>> {
  const options = await attempt('checkout', () => loginOptions(client, code));
  if (!options.ok) return options;
  const origin = new URL(client.baseUrl).origin;
  const clientData = clientDataJson('webauthn.get', options.value.challenge, origin);
  const signed = await ceremony(client, session, (hello) => loginChallenge(client, code, hello, clientData), opts);
  if (!signed.ok) return signed;
  const { authData, signature, credentialId } = signed.value;
  if (!signature || !credentialId) return refusal(Status.MALFORMED, 'checkout', 'the assertion is incomplete');
  const response = authenticationResponse(clientData, credentialId, authData, signature);
  const done = await attempt('checkout', () => finishLogin(client, code, response));
  if (!done.ok) return done;
  return ok({
    response,
    expectedChallenge: options.value.challenge,
    expectedOrigin: origin,
    expectedRPID: options.value.rpId,
  });
}
