/**
 * Signing in with the band (docs/CHECKOUT.md "Sign in with your band"), across devices: the
 * waiting page (or an API client) starts a login and shows its code; at any bridge the owner
 * runs `wristpay bridge identity login CODE`; the bridge fetches the request options, has the
 * band sign (an identity-assert challenge) and posts the AuthenticationResponseJSON, which
 * @simplewebauthn/server verifies against the stored credential; the store then spends the
 * ceremony and raises the counter in one transaction, and the waiting side takes its session.
 *
 * Passwordless (any registered band; its credential names the account) or the second factor
 * after the password (`accountId` set: only that account's band).
 */
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { Status } from '../../shared/status/codes.ts';
import { fromBase64Url, toBase64Url } from '../api/base64url.ts';
import { type AuthenticationResponseJSON, sha256 } from '../api/webauthn.ts';
import type { Accounts, LoginResult } from './accounts.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import {
  CEREMONY_TIMEOUT_MS,
  CEREMONY_TTL_MS,
  ceremonyChallenge,
  openCeremony,
  relyingParty,
} from './identity-ceremony.ts';
import { insertWithFreshId, newPairingCode } from './ids.ts';
import type { IssuedChallenge } from './issued-challenge.ts';

export interface StartedLogin {
  ceremonyId: string;
  /** What the owner types at the bridge. */
  code: string;
  /** The waiting side's proof when it asks for its session (kept by it alone; only its hash is stored). */
  secret: string;
  expiresAt: number;
}

/** PublicKeyCredentialRequestOptionsJSON (WebAuthn §5.5) for the ceremony. */
export interface RequestOptions {
  challenge: string;
  rpId: string;
  timeout: number;
  userVerification: 'required';
  allowCredentials: Array<{ id: string; type: 'public-key'; transports: string[] }>;
}

export type LoginState =
  | { state: 'waiting'; expiresAt: number; code: string }
  | { state: 'signed-in'; session: Omit<LoginResult, 'deviceToken'> };

/** Typed codes: upper case, the dash optional ("ABCD-EFGH" or "abcdefgh"). */
export function normaliseLoginCode(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase().slice(0, 16);
}

export async function startLogin(ctx: Ctx, origin: string, accountId: string | null): Promise<StartedLogin> {
  const rp = relyingParty(origin);
  const now = ctx.clock();
  const secret = toBase64Url(ctx.provider.randomBytes(32));
  const code = newPairingCode(ctx.provider);
  const made = await insertWithFreshId(ctx.provider, 'idc', (id) =>
    ctx.store.identity.createCeremony(
      {
        id,
        kind: 'login',
        code,
        accountId,
        challenge: toBase64Url(ctx.provider.randomBytes(32)),
        origin: rp.origin,
        rpId: rp.rpId,
        expiresAt: now + CEREMONY_TTL_MS,
        state: 'open',
        resultAccountId: null,
        deviceId: null,
        browserHash: sha256(new TextEncoder().encode(secret)),
        createdAt: now,
      },
      now,
    ),
  );
  if (!made.ok) refuse(made.status, made.detail);
  return { ceremonyId: made.value.id, code, secret, expiresAt: made.value.expiresAt };
}

export async function loginOptions(ctx: Ctx, code: string): Promise<RequestOptions> {
  const c = openCeremony(ctx, await ctx.store.identity.ceremonyByCode(normaliseLoginCode(code)), 'login');
  const creds = c.accountId ? await ctx.store.identity.credentialsOf(c.accountId) : [];
  return {
    challenge: c.challenge,
    rpId: c.rpId,
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: 'required',
    allowCredentials: creds.map((x) => ({ id: x.id, type: 'public-key', transports: ['ble'] })),
  };
}

/**
 * The identity-assert challenge for the band behind `hello`. After a password it names the
 * account's credential on that band (UNKNOWN_CREDENTIAL when there is none); passwordless, the
 * band signs with its key for the RP, whose credential then names the account.
 */
export async function loginChallenge(
  ctx: Ctx,
  code: string,
  hello: Uint8Array,
  clientDataJSON: string,
): Promise<IssuedChallenge> {
  const c = openCeremony(ctx, await ctx.store.identity.ceremonyByCode(normaliseLoginCode(code)), 'login');
  const owner = c.accountId;
  return ceremonyChallenge(ctx, c, hello, clientDataJSON, owner, async (deviceId) => {
    if (owner === null) return undefined;
    const own = (await ctx.store.identity.credentialsOf(owner)).find((x) => x.deviceId === deviceId);
    if (!own) refuse(Status.UNKNOWN_CREDENTIAL, 'this band has no sign-in key for the account: register it first');
    return fromBase64Url(own.id) ?? undefined;
  });
}

export async function finishLogin(ctx: Ctx, code: string, response: AuthenticationResponseJSON): Promise<void> {
  const c = openCeremony(ctx, await ctx.store.identity.ceremonyByCode(normaliseLoginCode(code)), 'login');
  const cred = await ctx.store.identity.credential(String(response?.id ?? ''));
  // Only the key of the band the challenge went to, of the account that asked (second factor).
  if (!cred || cred.deviceId !== c.deviceId || (c.accountId !== null && cred.accountId !== c.accountId))
    refuse(Status.UNKNOWN_CREDENTIAL, 'no such sign-in key for this sign-in');
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: c.challenge,
      expectedOrigin: c.origin,
      expectedRPID: c.rpId,
      credential: { id: cred.id, publicKey: new Uint8Array(cred.publicKey), counter: cred.counter },
      requireUserVerification: true,
    });
  } catch (e) {
    const why = (e as Error).message;
    // The library checks the counter too (against what we read); the store checks it again, atomically.
    if (/counter/i.test(why)) refuse(Status.COUNTER_NOT_INCREASING, why);
    refuse(Status.CLAIM_MISMATCH, `authentication response: ${why}`);
  }
  if (!verified.verified) refuse(Status.BAD_SIGNATURE, 'the assertion does not verify with the registered key');
  const done = await ctx.store.identity.finishLogin(c.id, cred.id, verified.authenticationInfo.newCounter, ctx.clock());
  if (!done.ok) refuse(done.status, done.detail);
}

/** The waiting side asks: still waiting, or its session (once). */
export async function takeLogin(ctx: Ctx, accounts: Accounts, ceremonyId: string, secret: string): Promise<LoginState> {
  const c = await ctx.store.identity.ceremony(ceremonyId);
  if (c?.kind !== 'login') refuse(Status.NOT_FOUND, 'no sign-in with that id');
  if (c.state === 'open') {
    if (c.expiresAt <= ctx.clock()) refuse(Status.EXPIRED, 'the sign-in expired; start again');
    return { state: 'waiting', expiresAt: c.expiresAt, code: c.code as string };
  }
  if (c.state === 'refused') refuse(Status.COUNTER_NOT_INCREASING, 'the band was refused: its counter went back');
  const accountId = await ctx.store.identity.takeLogin(c.id, sha256(new TextEncoder().encode(secret)));
  if (!accountId) refuse(Status.REPLAYED, 'this sign-in was taken already');
  const account = await ctx.store.accounts.byId(accountId);
  if (!account) refuse(Status.NOT_FOUND, 'the account is gone');
  return { state: 'signed-in', session: await accounts.openSession(account) };
}
