/**
 * Cards on a band: the checkout makes a provision (or remove) challenge sealed to the
 * band; the bridge relays it and the band's answer. Card data never passes the bridge in
 * clear, and a card number (optional, Luhn-checked) goes to the checkout only.
 */
import type { Api, CheckoutClient } from '../../checkout/api/client.ts';
import type { BandSession } from '../relay/band-session.ts';
import { resolveBandId } from './band-id.ts';
import { type Outcome, attempt, ok } from './outcome.ts';
import { type RelayOptions, checkoutRefusal, relayChallenge } from './relay-challenge.ts';

/** A bank card by issuer id (catalogue), or a transit card by city id with an opening balance in minor units. */
export type CardRequest = { issuerId: string; cardNumber?: string } | { cityId: string; balance?: number };

export async function addCard(
  owner: CheckoutClient,
  session: BandSession,
  bandId: string | undefined,
  req: CardRequest,
  opts: RelayOptions = {},
): Promise<Outcome<Api.CardView>> {
  const id = await resolveBandId(owner, bandId);
  if (!id.ok) return id;
  let offered: Awaited<ReturnType<CheckoutClient['addCard']>>;
  try {
    offered = await owner.addCard(id.value, req);
  } catch (e) {
    return checkoutRefusal(e, owner, session, opts);
  }
  const r = await relayChallenge(owner, session, offered.challenge, opts);
  if (!r.ok) return r;
  return ok(r.value.card ?? offered.card);
}

export async function removeCard(
  owner: CheckoutClient,
  session: BandSession,
  bandId: string | undefined,
  cardRef: string,
  opts: RelayOptions = {},
): Promise<Outcome<{ cardRef: string; removed: true }>> {
  const id = await resolveBandId(owner, bandId);
  if (!id.ok) return id;
  let challenge;
  try {
    challenge = await owner.removeCard(id.value, cardRef);
  } catch (e) {
    return checkoutRefusal(e, owner, session, opts);
  }
  const r = await relayChallenge(owner, session, challenge, opts);
  return r.ok ? ok({ cardRef, removed: true }) : r;
}

/**
 * Makes a card the default of its kind (bank, transit). The checkout alone (no radio): each
 * payment challenge names the default card, which the band shows first at the tap.
 */
export async function setDefaultCard(
  owner: CheckoutClient,
  bandId: string | undefined,
  cardRef: string,
): Promise<Outcome<Api.CardView>> {
  const id = await resolveBandId(owner, bandId);
  if (!id.ok) return id;
  return attempt('checkout', () => owner.setDefaultCard(id.value, cardRef));
}

/** The owner's bands with their cards (no radio needed); one band when `bandId` is given. */
export async function listCards(owner: CheckoutClient, bandId?: string): Promise<Outcome<Api.BandView[]>> {
  if (bandId) {
    const one = await attempt('checkout', () => owner.band(bandId.toLowerCase()));
    return one.ok ? ok([one.value]) : one;
  }
  return attempt('checkout', () => owner.bands());
}
