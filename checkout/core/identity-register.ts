/**
 * Registering a band as the owner's sign-in key (docs/CHECKOUT.md "Sign in with your band"):
 * the owner's bridge asks for creation options, has the band make a credential (an
 * identity-register challenge, "none" attestation), and posts the RegistrationResponseJSON,
 * which @simplewebauthn/server verifies before the credential is kept.
 */
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import { Status } from '../../shared/status/codes.ts';
import { coseKeyToJwk, type RegistrationResponseJSON } from '../api/webauthn.ts';
import { fromBase64Url } from '../api/base64url.ts';
import type { IdentityCredentialRow } from '../store.ts';
import type { AccountRow } from '../rows.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import {
  CEREMONY_TIMEOUT_MS,
  CEREMONY_TTL_MS,
  MAX_CREDENTIALS,
  ceremonyChallenge,
  openCeremony,
  relyingParty,
} from './identity-ceremony.ts';
import { insertWithFreshId } from './ids.ts';
import type { IssuedChallenge } from './issued-challenge.ts';

export type CreationOptions = Awaited<ReturnType<typeof generateRegistrationOptions>>;

export interface CredentialView {
  credentialId: string;
  deviceId: string;
  publicKeyJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  counter: number;
  required: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export function credentialView(c: IdentityCredentialRow): CredentialView {
  return {
    credentialId: c.id,
    deviceId: c.deviceId,
    publicKeyJwk: coseKeyToJwk(c.publicKey) as CredentialView['publicKeyJwk'],
    counter: c.counter,
    required: c.required,
    createdAt: c.createdAt,
    lastUsedAt: c.lastUsedAt,
  };
}

export async function startRegistration(
  ctx: Ctx,
  account: AccountRow,
  origin: string,
): Promise<{ ceremonyId: string; options: CreationOptions }> {
  const rp = relyingParty(origin);
  const existing = await ctx.store.identity.credentialsOf(account.id);
  const options = await generateRegistrationOptions({
    rpName: 'wristpay',
    rpID: rp.rpId,
    userName: account.username,
    userID: new TextEncoder().encode(account.id),
    userDisplayName: account.displayName,
    timeout: CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: ['ble'] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    supportedAlgorithmIDs: [-7],
  });
  const now = ctx.clock();
  const made = await insertWithFreshId(ctx.provider, 'idc', (id) =>
    ctx.store.identity.createCeremony(
      {
        id,
        kind: 'register',
        code: null,
        accountId: account.id,
        challenge: options.challenge,
        origin: rp.origin,
        rpId: rp.rpId,
        expiresAt: now + CEREMONY_TTL_MS,
        state: 'open',
        resultAccountId: null,
        deviceId: null,
        browserHash: null,
        createdAt: now,
      },
      now,
    ),
  );
  if (!made.ok) refuse(made.status, made.detail);
  return { ceremonyId: made.value.id, options };
}

/** The identity-register challenge for the owner's band behind `hello`. */
export async function registrationChallenge(
  ctx: Ctx,
  accountId: string,
  ceremonyId: string,
  hello: Uint8Array,
  clientDataJSON: string,
): Promise<IssuedChallenge> {
  const c = openCeremony(ctx, await ctx.store.identity.ceremony(ceremonyId), 'register');
  if (c.accountId !== accountId) refuse(Status.NOT_FOUND, 'no registration with that id');
  return ceremonyChallenge(ctx, c, hello, clientDataJSON, accountId, async () => undefined);
}

export async function finishRegistration(
  ctx: Ctx,
  accountId: string,
  ceremonyId: string,
  response: RegistrationResponseJSON,
  required: boolean,
): Promise<CredentialView> {
  const c = openCeremony(ctx, await ctx.store.identity.ceremony(ceremonyId), 'register');
  if (c.accountId !== accountId) refuse(Status.NOT_FOUND, 'no registration with that id');
  if (!c.deviceId) refuse(Status.INVALID_SEQUENCE, 'no band has been asked to make the key yet');
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: c.challenge,
      expectedOrigin: c.origin,
      expectedRPID: c.rpId,
      requireUserVerification: true,
      supportedAlgorithmIDs: [-7],
    });
  } catch (e) {
    refuse(Status.CLAIM_MISMATCH, `registration response: ${(e as Error).message}`);
  }
  if (!verified.verified) refuse(Status.BAD_SIGNATURE, 'the registration response does not verify');
  const info = verified.registrationInfo.credential;
  if (!fromBase64Url(info.id)) refuse(Status.MALFORMED, 'credential id is not base64url');
  const now = ctx.clock();
  const row: IdentityCredentialRow = {
    id: info.id,
    accountId,
    deviceId: c.deviceId,
    publicKey: new Uint8Array(info.publicKey),
    counter: info.counter,
    required,
    createdAt: now,
    lastUsedAt: null,
  };
  const done = await ctx.store.identity.finishRegistration(c.id, row, now, MAX_CREDENTIALS);
  if (!done.ok) refuse(done.status, done.detail);
  if (required) await ctx.store.identity.setRequired(accountId, true);
  return credentialView(done.value);
}
