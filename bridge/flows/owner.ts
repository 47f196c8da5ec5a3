/**
 * The owner's flows over a bridge: enroll a band with the checkout, unlock it for the
 * day (the account password goes to the checkout, never to the band), and turn it off
 * when lost. Cards are in cards.ts.
 */
import { CheckoutHttpError, type Api, type CheckoutClient } from '../../sim/checkout/client.ts';
import { Status } from '../../shared/status/codes.ts';
import type { BandSession } from '../relay/band-session.ts';
import { Outcome, attempt, ok, refusalOf } from './outcome.ts';
import { RelayOptions, checkoutRefusal, readHello, relayChallenge } from './relay-challenge.ts';
import { resolveBandId } from './band-id.ts';

/** The enrolled band and the owner's one-time turn-off code (shown once; the checkout keeps only its hash). */
export type EnrolledBand = Api.BandView & { turnOffCode: string };

/** ENROLL from the checkout → band → ENROLLED back to the checkout; the band is then bound to the account. */
export async function enrollBand(owner: CheckoutClient, session: BandSession, opts: RelayOptions & { name?: string } = {}): Promise<Outcome<EnrolledBand>> {
  const offer = await attempt('checkout', () => owner.startEnrollment());
  if (!offer.ok) return offer;
  let enrolled: Uint8Array;
  try {
    enrolled = (await session.expect(offer.value.enroll, 'enrolled', { timeoutMs: opts.bandTimeoutMs })).bytes;
  } catch (e) {
    return refusalOf(e, 'band');
  }
  return attempt('checkout', () => owner.completeEnrollment(offer.value.enrollId, enrolled, opts.name));
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
export async function unlockBand(anon: CheckoutClient, session: BandSession, username: string, password: string, opts: UnlockOptions = {}): Promise<Outcome<Unlocked>> {
  const hello = await readHello(session, opts);
  if (!hello.ok) return hello;
  let challenge;
  try {
    const grant = await anon.unlockWithDevice(hello.value.bytes, username, password, opts.deviceToken);
    opts.keepDeviceToken?.(grant.deviceToken);
    challenge = grant.challenge;
  } catch (e) {
    // Asking again while unlocked is not a failure: the wearer gets what they asked for.
    if (e instanceof CheckoutHttpError && e.status === Status.ALREADY_UNLOCKED) return ok({ unlocked: true, resultShown: false, alreadyUnlocked: true });
    return checkoutRefusal(e, anon, session, opts);
  }
  const r = await relayChallenge(anon, session, challenge, opts);
  return r.ok ? ok({ unlocked: true, resultShown: r.value.resultShown }) : r;
}

/**
 * Turns wrist payments off for a band (lost or stolen). The checkout refuses it from now
 * on and queues a wipe that the next bridge to see the band delivers (deliverQueuedWipe).
 */
export async function revoke(owner: CheckoutClient, bandId?: string): Promise<Outcome<Api.BandView>> {
  const id = await resolveBandId(owner, bandId, true);
  if (!id.ok) return id;
  return attempt('checkout', () => owner.revokeBand(id.value));
}
