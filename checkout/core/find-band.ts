/**
 * "Ring my band": the owner asks from the dashboard or `wristpay bridge find --ring`; the
 * request waits in the store for the band's next contact with any terminal, which then gets a
 * FIND challenge (signed and sealed like any other) instead of what it came for. The band
 * buzzes and flashes "Find me", answers, and the request closes with the time it rang.
 *
 * Only a band that is not unlocked is rung: only its owner can unlock it (their password),
 * so a band worn unlocked is with its owner and the request is withdrawn instead. A turned-off
 * band is wiped at its next contact (hello.ts): it cannot ring after that, so it is not asked.
 */
import { WearState } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import type { HelloBody } from '../../shared/messages/index.ts';
import type { BandRow } from '../store.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { refuseWithChallenge } from './queued-challenge.ts';

/** Opens (ring) or withdraws (cancel) the request for an owner's band that is still active. */
export async function setRingRequest(ctx: Ctx, band: BandRow, ring: boolean): Promise<void> {
  if (ring && band.status !== 'active')
    refuse(Status.REVOKED, 'this band is turned off: its next contact wipes it, so it cannot be rung');
  await ctx.store.bands.requestFind(band.deviceId, ring ? ctx.clock() : null);
}

/**
 * At a contact through a terminal: nothing when no ring is asked for; the request withdrawn
 * when the band is worn unlocked; else FIND_REQUESTED, carrying the FIND challenge.
 */
export async function ringIfAsked(ctx: Ctx, band: BandRow, hello: HelloBody): Promise<void> {
  if (band.findRequestedAt === null) return;
  if (hello.wearState === WearState.WORN_UNLOCKED) {
    await ctx.store.bands.requestFind(band.deviceId, null);
    return;
  }
  return refuseWithChallenge(ctx, band, 'find', Status.FIND_REQUESTED, {
    delivered: "this band's owner is looking for it: deliver the find challenge",
    later: "this band's owner is looking for it; present it again in a minute",
  });
}
