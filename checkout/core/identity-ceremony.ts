/**
 * What both identity ceremonies share (docs/CHECKOUT.md "Sign in with your band"): the
 * relying party is this checkout (its origin as the browser and the bridge reach it, its
 * host name as the RP ID), a ceremony is a stored single-use challenge, and the band is asked
 * to sign only client data that names this ceremony's challenge, type and origin: the
 * checkout signs every challenge the band obeys, so it must not become a signing oracle.
 */
import { sha256 } from '../api/webauthn.ts';
import { type CeremonyType, readClientData } from '../api/webauthn.ts';
import { Status } from '../../shared/status/codes.ts';
import type { IdentityCeremonyRow } from '../store.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { issueChallenge } from './challenges.ts';
import { identifyBand, requireWorn } from './hello.ts';
import type { IssuedChallenge } from './issued-challenge.ts';
import { fromBase64Url } from '../api/base64url.ts';

/** A ceremony's life: the owner walks to a bridge and presses the button. */
export const CEREMONY_TTL_MS = 5 * 60_000;
/** Sign-in keys per account (each band holds one per relying party). */
export const MAX_CREDENTIALS = 4;
/** How long the bridge (and a browser) waits for the band, as WebAuthn's `timeout`. */
export const CEREMONY_TIMEOUT_MS = 60_000;

/** The relying party of a request that reached the checkout at `origin` ("https://shop.example:8420"). */
export function relyingParty(origin: string): { origin: string; rpId: string } {
  const u = new URL(origin);
  return { origin: u.origin, rpId: u.hostname };
}

/** Open, unexpired, of this kind: the ceremony, or the refusal that says why not. */
export function openCeremony(
  ctx: Ctx,
  c: IdentityCeremonyRow | undefined,
  kind: IdentityCeremonyRow['kind'],
): IdentityCeremonyRow {
  if (!c || c.kind !== kind)
    refuse(Status.NOT_FOUND, `no ${kind === 'login' ? 'sign-in' : 'registration'} with that id or code`);
  if (c.state !== 'open') refuse(Status.REPLAYED, 'this ceremony is finished already');
  if (c.expiresAt <= ctx.clock()) refuse(Status.EXPIRED, 'this ceremony expired; start again');
  return c;
}

/**
 * The band behind `hello` asked to sign `clientDataJSON` (base64url) for the ceremony: the
 * client data must name its challenge, type and origin, the band must be active, worn and
 * unlocked; `owner`, when set, must own it. The band is bound to the ceremony (only its key
 * may answer) and gets the identity challenge.
 */
export async function ceremonyChallenge(
  ctx: Ctx,
  c: IdentityCeremonyRow,
  hello: Uint8Array,
  clientDataJSON: string,
  owner: string | null,
  /** The one credential the band may use (a refusal when it has none), or undefined: its own for the RP. */
  credentialFor: (deviceId: string) => Promise<Uint8Array | undefined>,
): Promise<IssuedChallenge> {
  const type: CeremonyType = c.kind === 'register' ? 'webauthn.create' : 'webauthn.get';
  const data = readClientData(clientDataJSON);
  if (!data) refuse(Status.MALFORMED, 'clientDataJSON: not base64url JSON with type, challenge and origin');
  if (data.type !== type || data.challenge !== c.challenge || data.origin !== c.origin)
    refuse(Status.CLAIM_MISMATCH, `clientDataJSON must name ${type}, this ceremony's challenge and ${c.origin}`);
  const { band, body } = await identifyBand(ctx, hello, null);
  if (owner !== null && band.accountId !== owner) refuse(Status.FORBIDDEN, 'that band belongs to another account');
  requireWorn(body, true);
  const credentialId = await credentialFor(band.deviceId);
  if (!(await ctx.store.identity.bindDevice(c.id, band.deviceId, ctx.clock())))
    refuse(Status.REPLAYED, 'this ceremony is finished already');
  const clientDataHash = sha256(fromBase64Url(clientDataJSON) as Uint8Array);
  const spec =
    c.kind === 'register'
      ? ({ kind: 'identity-register', rpId: c.rpId, clientDataHash } as const)
      : ({ kind: 'identity-assert', rpId: c.rpId, clientDataHash, credentialId } as const);
  return issueChallenge(ctx, band, spec, {});
}
