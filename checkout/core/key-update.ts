/**
 * Moving a band to the checkout's active keys (PROTOCOL.md §8). After a band on the previous
 * keys has had an answer accepted (it is here, connected, and its bridge is relaying), the
 * checkout hands that bridge a key update for it: a challenge signed by the previous key the
 * band holds, carrying the active keys and their id as the epoch. Its OK answer (answers.ts),
 * or the band's next hello opening with the active HPKE key (hello.ts), records the move.
 */
import type { BandRow, ChallengeKindName } from '../store.ts';
import { issueChallenge } from './challenges.ts';
import type { Ctx } from './context.ts';
import { CheckoutError } from './errors.ts';
import type { IssuedChallenge } from './issued-challenge.ts';

export async function offerKeyUpdate(
  ctx: Ctx,
  band: BandRow | undefined,
  answered: ChallengeKindName,
): Promise<IssuedChallenge | undefined> {
  const { keys } = ctx;
  // Not after a wipe or a key update (the band is gone or has just moved), nor for a band on the active keys.
  if (answered === 'wipe' || answered === 'key-update') return undefined;
  if (band?.status !== 'active' || band.checkoutKey === keys.id) return undefined;
  try {
    return await issueChallenge(
      ctx,
      band,
      { kind: 'key-update', signingKey: keys.signingPublic, hpkeKey: keys.hpkePublic, epoch: keys.id },
      {},
    );
  } catch (e) {
    // The band's challenge quota is used up, or it holds a retired key: the answer it gave
    // stands, and the update comes with a later one.
    if (e instanceof CheckoutError) return undefined;
    throw e;
  }
}
