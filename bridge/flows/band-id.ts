/**
 * Which of the owner's bands a command means. The bridge cannot learn a band's device id
 * over the air (it only travels sealed), so owner commands name it, or — when the account
 * has exactly one active band — it is that one.
 */
import { Status } from '../../shared/status/codes.ts';
import type { CheckoutClient } from '../../checkout/api/client.ts';
import { type Outcome, attempt, ok, refusal } from './outcome.ts';

export async function resolveBandId(
  owner: CheckoutClient,
  bandId: string | undefined,
  activeOnly = true,
): Promise<Outcome<string>> {
  if (bandId) return ok(bandId.toLowerCase());
  const bands = await attempt('checkout', () => owner.bands());
  if (!bands.ok) return bands;
  const candidates = bands.value.filter((b) => !activeOnly || b.status === 'active');
  if (candidates.length === 1) return ok(candidates[0].deviceId);
  if (candidates.length === 0)
    return refusal(
      Status.NOT_FOUND,
      'input',
      `this account has no ${activeOnly ? 'active ' : ''}band; enroll one first`,
    );
  return refusal(
    Status.CONFLICT,
    'input',
    `this account has ${candidates.length} bands; name one with --band (${candidates.map((b) => b.deviceId).join(', ')})`,
  );
}
