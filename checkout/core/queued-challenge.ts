/**
 * A refusal that carries a challenge for the band (a revoked band's WIPE, a looked-for band's
 * FIND): the bridge that got the refusal delivers it on the same link (bridge/flows/
 * relay-challenge.ts). When the band's open challenges are at their cap (a captured hello
 * replayed), the refusal goes without one and the challenge comes with a later hello.
 */
import type { StatusCode } from '../../shared/status/codes.ts';
import { Status } from '../../shared/status/codes.ts';
import type { BandRow } from '../store.ts';
import { issueChallenge } from './challenges.ts';
import type { Ctx } from './context.ts';
import { CheckoutError, refuse } from './errors.ts';
import type { IssuedChallenge } from './issued-challenge.ts';

export async function refuseWithChallenge(
  ctx: Ctx,
  band: BandRow,
  kind: 'wipe' | 'find',
  status: StatusCode,
  why: { delivered: string; later: string },
): Promise<never> {
  let challenge: IssuedChallenge;
  try {
    challenge = await issueChallenge(ctx, band, { kind }, {});
  } catch (e) {
    if (!(e instanceof CheckoutError) || e.status !== Status.QUOTA_EXCEEDED) throw e;
    refuse(status, why.later);
  }
  refuse(status, why.delivered, { challenge });
}
