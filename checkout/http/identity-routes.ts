/**
 * The identity API (docs/CHECKOUT.md "Sign in with your band"): registration under the
 * owner's session; sign-in anonymous, the code being the capability (its lookups count
 * against the address's login budget), the session taken only with the starter's secret.
 */
import { MAX_MESSAGE_BYTES } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import type {
  CredentialJson,
  LoginStartJson,
  LoginStateJson,
  RegistrationStartJson,
  RequestOptionsJson,
} from '../api/identity-types.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../api/webauthn.ts';
import { refuse } from '../core/errors.ts';
import { challengeJson } from './api-routes.ts';
import type { Fields } from './request.ts';
import { type Route, json } from './router.ts';

const api = (method: string, pattern: string, handler: Route['handler']): Route => ({
  method,
  pattern,
  kind: 'api',
  handler,
});

/** A WebAuthn response object in the body: its shape here, its meaning in @simplewebauthn/server. */
function webauthnResponse<T extends RegistrationResponseJSON | AuthenticationResponseJSON>(f: Fields): T {
  const r = f.raw.response as { id?: unknown; rawId?: unknown; type?: unknown; response?: unknown } | undefined;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.id !== 'string' ||
    r.id.length > 1024 ||
    r.rawId !== r.id ||
    r.type !== 'public-key' ||
    typeof r.response !== 'object' ||
    r.response === null
  )
    refuse(Status.MALFORMED, 'response: a WebAuthn credential JSON object (id, rawId, type "public-key", response)');
  return r as T;
}

const CLIENT_DATA_MAX = 1024;

export const identityRoutes: Route[] = [
  // ---- registration (owner) ----
  api('POST', '/v1/identity/registrations', async ({ checkout, session, origin }) => {
    const { account } = await session('owner');
    const r = await checkout.identity.startRegistration(account.id, origin);
    return json(r satisfies RegistrationStartJson, 201);
  }),
  api('POST', '/v1/identity/registrations/:ceremonyId/challenge', async ({ checkout, session, params, json: body }) => {
    const { account } = await session('owner');
    const f = body();
    const c = await checkout.identity.registrationChallenge(
      account.id,
      params.ceremonyId,
      f.bytes('hello', MAX_MESSAGE_BYTES),
      f.string('clientDataJSON', { max: CLIENT_DATA_MAX }),
    );
    return json({ challenge: challengeJson(c) }, 201);
  }),
  api('POST', '/v1/identity/registrations/:ceremonyId', async ({ checkout, session, params, json: body }) => {
    const { account } = await session('owner');
    const f = body();
    const credential = await checkout.identity.finishRegistration(
      account.id,
      params.ceremonyId,
      webauthnResponse<RegistrationResponseJSON>(f),
      f.optionalBool('required') === true,
    );
    return json({ credential: credential satisfies CredentialJson }, 201);
  }),
  api('GET', '/v1/identity/credentials', async ({ checkout, session }) =>
    json({ credentials: await checkout.identity.credentials((await session('owner')).account.id) }),
  ),
  api('PUT', '/v1/identity/required', async ({ checkout, session, json: body }) => {
    const { account } = await session('owner');
    const required = body().optionalBool('required');
    if (required === undefined) refuse(Status.MALFORMED, 'required: true or false');
    return json({ credentials: await checkout.identity.setRequired(account.id, required) });
  }),

  // ---- sign-in ----
  api('POST', '/v1/identity/logins', async ({ checkout, client, origin, json: body }) => {
    const f = body();
    const username = f.optionalString('username', { max: 64 });
    const password = f.optionalString('password', { max: 128 });
    if ((username === undefined) !== (password === undefined))
      refuse(Status.MALFORMED, 'username and password come together (or neither: passwordless)');
    let accountId: string | null = null;
    if (username !== undefined && password !== undefined) {
      await checkout.limits.login(client, username);
      // The band as the second factor: only a right password of an account that asks for it gets this far.
      const { account } = await checkout.accounts.checkPassword(username, password);
      if (!(await checkout.identity.requiresBand(account.id)))
        refuse(Status.CONFLICT, 'this account does not ask for its band: sign in with the password alone');
      accountId = account.id;
    } else {
      await checkout.limits.bandLogin(client);
    }
    return json((await checkout.identity.startLogin(origin, accountId)) satisfies LoginStartJson, 201);
  }),
  api('GET', '/v1/identity/logins/code/:code', async ({ checkout, client, params }) => {
    await checkout.limits.bandLogin(client);
    return json((await checkout.identity.loginOptions(params.code)) satisfies RequestOptionsJson);
  }),
  api('POST', '/v1/identity/logins/code/:code/challenge', async ({ checkout, client, params, json: body }) => {
    await checkout.limits.bandLogin(client);
    const f = body();
    const c = await checkout.identity.loginChallenge(
      params.code,
      f.bytes('hello', MAX_MESSAGE_BYTES),
      f.string('clientDataJSON', { max: CLIENT_DATA_MAX }),
    );
    return json({ challenge: challengeJson(c) }, 201);
  }),
  api('POST', '/v1/identity/logins/code/:code', async ({ checkout, params, json: body }) => {
    await checkout.identity.finishLogin(params.code, webauthnResponse<AuthenticationResponseJSON>(body()));
    return json({ ok: true });
  }),
  api('POST', '/v1/identity/logins/:ceremonyId/session', async ({ checkout, params, json: body }) => {
    const s = await checkout.identity.takeLogin(params.ceremonyId, body().string('secret', { max: 64 }));
    const out: LoginStateJson =
      s.state === 'waiting'
        ? s
        : { state: 'signed-in', token: s.session.token, expiresAt: s.session.expiresAt, account: s.session.account };
    return json(out, s.state === 'waiting' ? 202 : 201);
  }),
];
