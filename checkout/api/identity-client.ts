/** The identity API from a CheckoutClient (docs/CHECKOUT.md "Sign in with your band"): what the bridge and tests call. */
import type { Challenge, CheckoutClient } from './client.ts';
import { challenge } from './client.ts';
import { toBase64Url } from './base64url.ts';
import type {
  CredentialJson,
  IdentityChallengeRequest,
  LoginFinishRequest,
  LoginStartJson,
  LoginStartRequest,
  LoginStateJson,
  RegistrationFinishRequest,
  RegistrationStartJson,
  RequestOptionsJson,
} from './identity-types.ts';
import type { ChallengeJson } from './types.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from './webauthn.ts';

const seg = encodeURIComponent;

// ---- registration (the owner's session) ----
export function startRegistration(owner: CheckoutClient): Promise<RegistrationStartJson> {
  return owner.request('POST', '/v1/identity/registrations', {});
}
export async function registrationChallenge(
  owner: CheckoutClient,
  ceremonyId: string,
  hello: Uint8Array,
  clientDataJSON: Uint8Array,
): Promise<Challenge> {
  const r = await owner.request<{ challenge: ChallengeJson }>(
    'POST',
    `/v1/identity/registrations/${seg(ceremonyId)}/challenge`,
    { hello: toBase64Url(hello), clientDataJSON: toBase64Url(clientDataJSON) } satisfies IdentityChallengeRequest,
  );
  return challenge(r.challenge);
}
export async function finishRegistration(
  owner: CheckoutClient,
  ceremonyId: string,
  response: RegistrationResponseJSON,
  required?: boolean,
): Promise<CredentialJson> {
  const r = await owner.request<{ credential: CredentialJson }>(
    'POST',
    `/v1/identity/registrations/${seg(ceremonyId)}`,
    { response, required } satisfies RegistrationFinishRequest,
  );
  return r.credential;
}
export async function credentials(owner: CheckoutClient): Promise<CredentialJson[]> {
  return (await owner.request<{ credentials: CredentialJson[] }>('GET', '/v1/identity/credentials')).credentials;
}
export async function setBandRequired(owner: CheckoutClient, required: boolean): Promise<CredentialJson[]> {
  const r = await owner.request<{ credentials: CredentialJson[] }>('PUT', '/v1/identity/required', { required });
  return r.credentials;
}

// ---- sign-in (anonymous: the code is the capability) ----
export function startLogin(client: CheckoutClient, req: LoginStartRequest = {}): Promise<LoginStartJson> {
  return client.request('POST', '/v1/identity/logins', req);
}
export function loginOptions(client: CheckoutClient, code: string): Promise<RequestOptionsJson> {
  return client.request('GET', `/v1/identity/logins/code/${seg(code)}`);
}
export async function loginChallenge(
  client: CheckoutClient,
  code: string,
  hello: Uint8Array,
  clientDataJSON: Uint8Array,
): Promise<Challenge> {
  const r = await client.request<{ challenge: ChallengeJson }>(
    'POST',
    `/v1/identity/logins/code/${seg(code)}/challenge`,
    { hello: toBase64Url(hello), clientDataJSON: toBase64Url(clientDataJSON) } satisfies IdentityChallengeRequest,
  );
  return challenge(r.challenge);
}
export async function finishLogin(
  client: CheckoutClient,
  code: string,
  response: AuthenticationResponseJSON,
): Promise<void> {
  await client.request('POST', `/v1/identity/logins/code/${seg(code)}`, { response } satisfies LoginFinishRequest);
}
export function loginState(client: CheckoutClient, ceremonyId: string, secret: string): Promise<LoginStateJson> {
  return client.request('POST', `/v1/identity/logins/${seg(ceremonyId)}/session`, { secret });
}
