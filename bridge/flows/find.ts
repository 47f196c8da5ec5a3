/**
 * Finding a lost band: where and when the checkout last heard from it, for its owner (revoked
 * and wiped bands too: that is when the owner looks). No radio: a lost band is not near this
 * bridge, and the checkout learns every contact any bridge has with it.
 */
import type { Api, CheckoutClient } from '../../checkout/api/client.ts';
import { resolveBandId } from './band-id.ts';
import { type Outcome, attempt } from './outcome.ts';

/** `ring`: true asks the band to ring at its next contact, false withdraws that; omitted, only reads. */
export async function findBand(
  owner: CheckoutClient,
  bandId?: string,
  ring?: boolean,
): Promise<Outcome<Api.FoundBandView>> {
  const id = await resolveBandId(owner, bandId, false);
  if (!id.ok) return id;
  return attempt('checkout', () => (ring === undefined ? owner.lastSeen(id.value) : owner.ring(id.value, ring)));
}
