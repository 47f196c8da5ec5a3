/**
 * The owner's flows over a bridge: enroll a band with the checkout, unlock it for the
 * day (the account password goes to the checkout, never to the band), and turn it off
 * when lost. Cards are in cards.ts.
 */
import { CheckoutHttpError, type Api, type CheckoutClient } from '../../checkout/api/client.ts';
import { Status } from '../../shared/status/codes.ts';
import type { BandSession } from '../relay/band-session.ts';
import { BandRefusal } from '../relay/refusal.ts';
import { type Outcome, attempt, ok, refusalOf } from './outcome.ts';
import { type RelayOptions, checkoutRefusal, readHello, relayChallenge } from './relay-challenge.ts';
import { resolveBandId } from './band-id.ts';
import { offerOwnerKey, takeIdentityKey } from './owner-irk.ts';

/**
 * The enrolled band, the owner's one-time turn-off code (shown once; the checkout keeps only its
 * hash), and the band's identity resolving key for this bridge's config (null, with why, when
 * none arrived).
 */
export interface EnrolledBand extends Api.BandView {
  turnOffCode: string;
  identityKey: Uint8Array | null;
  identityKeyProblem?: string;
}

/**
 * ENROLL from the checkout (plus this bridge's one-time owner key) → band → ENROLLED back to
 * the checkout (without the sealed IRK, which only this bridge opens: owner-irk.ts); the band
 * is then bound to the account.
 */
export async function enrollBand(
  owner: CheckoutClient,
  session: BandSession,
  opts: RelayOptions & { name?: string } = {},
): Promise<Outcome<EnrolledBand>> {
  const offer = await attempt('checkout', () => owner.startEnrollment());
  if (!offer.ok) return offer;
  let ownerKey = offerOwnerKey(offer.value.enroll);
  let enrolled: Uint8Array;
  try {
    try {
      enrolled = (
        await session.expect(ownerKey ? ownerKey.enroll : offer.value.enroll, 'enrolled', {
          timeoutMs: opts.bandTimeoutMs,
        })
      ).bytes;
    } catch (e) {
      // Firmware from before the private address refuses the unknown ENROLL key 5: enroll it as before, without an IRK.
      if (!(ownerKey && e instanceof BandRefusal && e.origin === 'band' && e.status === Status.MALFORMED)) throw e;
      ownerKey = null;
      enrolled = (await session.expect(offer.value.enroll, 'enrolled', { timeoutMs: opts.bandTimeoutMs })).bytes;
    }
  } catch (e) {
    return refusalOf(e, 'band');
  }
  const taken = ownerKey
    ? takeIdentityKey(enrolled, ownerKey)
    : { forward: enrolled, irk: null, problem: 'the band takes no owner key (older firmware)' };
  const band = await attempt('checkout', () =>
    owner.completeEnrollment(offer.value.enrollId, taken.forward, opts.name),
  );
  if (!band.ok) return band;
  return ok({ ...band.value, identityKey: taken.irk, ...(taken.problem ? { identityKeyProblem: taken.problem } : {}) });
}

export interface Unlocked {
  unlocked: true;
  /** False when the band could not be shown the RESULT (it is unlocked regardless). */
  resultShown: boolean;
  /** The band was already unlocked for this wear (the checkout checked the password and owner first). */
  alreadyUnlocked?: true;
}

export interface UnlockOptions extends RelayOptions {
  /** This bridge's device token for the owner (its password attempts count apart from strangers'). */
  deviceToken?: string;
  /** Receives the fresh device token to keep for next time. */
  keepDeviceToken?: (token: string) => void;
}

/**
 * HELLO (sealed, with the band's unlock nonce) + the account password → an unlock grant
 * for that nonce → band → answer. `anon` needs no session: the password authenticates.
 */
export async function unlockBand(
  anon: CheckoutClient,
  session: BandSession,
  username: string,
  password: string,
  opts: UnlockOptions = {},
): Promise<Outcome<Unlocked>> {
  const hello = await readHello(session, opts);
  if (!hello.ok) return hello;
  let challenge;
  try {
    const grant = await anon.unlockWithDevice(hello.value.bytes, username, password, opts.deviceToken);
    opts.keepDeviceToken?.(grant.deviceToken);
    challenge = grant.challenge;
  } catch (e) {
    // Asking again while unlocked is not a failure: the wearer gets what they asked for.
    if (e instanceof CheckoutHttpError && e.status === Status.ALREADY_UNLOCKED)
      return ok({ unlocked: true, resultShown: false, alreadyUnlocked: true });
    return checkoutRefusal(e, anon, session, opts);
  }
  const r = await relayChallenge(anon, session, challenge, opts);
  return r.ok ? ok({ unlocked: true, resultShown: r.value.resultShown }) : r;
}

/**
 * Turns wrist payments off for a band (lost or stolen). The checkout refuses it from now
 * on and queues a wipe that the next bridge to see the band delivers (deliverQueued).
 */
export async function revoke(owner: CheckoutClient, bandId?: string): Promise<Outcome<Api.BandView>> {
  const id = await resolveBandId(owner, bandId, true);
  if (!id.ok) return id;
  return attempt('checkout', () => owner.revokeBand(id.value));
}
