/**
 * Unlock grants. Once per wear, the owner types the account password on the phone or
 * bridge; with it comes the band's HELLO, whose unlockNonce the band issued while worn
 * and locked (an unlocked band sends none: ALREADY_UNLOCKED).
 * The grant (an UNLOCK challenge) answers that nonce, so it only unlocks this wear
 * session of this band, and carries the account's limits and the session's maximum age.
 */
import { WearState } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import type { Accounts } from './accounts.ts';
import { issueChallenge } from './challenges.ts';
import type { IssuedChallenge } from './issued-challenge.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { decodeHello, identifyBand, requireWorn } from './hello.ts';
import { recordContact } from './last-seen.ts';

/** The grant, and a fresh device token for the client (the account password was checked as at login). */
export interface UnlockGrant extends IssuedChallenge {
  deviceToken: string;
}

export async function grantUnlock(
  ctx: Ctx,
  accounts: Accounts,
  hello: Uint8Array,
  username: string,
  password: string,
  deviceToken?: string,
): Promise<UnlockGrant> {
  decodeHello(hello); // refuse garbage before spending a password check on it
  const { account, deviceToken: fresh } = await accounts.checkPassword(username, password, deviceToken);
  const { band, body } = await identifyBand(ctx, hello, null);
  if (band.accountId !== account.id) refuse(Status.FORBIDDEN, 'that band belongs to another account');
  // Its owner's password came with it: a contact at no terminal (last-seen.ts).
  await recordContact(ctx, band, null, body.battery);
  requireWorn(body, false);
  // A band offers its nonce only while worn and locked: unlocked, it needs no grant.
  if (body.wearState === WearState.WORN_UNLOCKED)
    refuse(Status.ALREADY_UNLOCKED, 'the band is already unlocked for this wear');
  if (!body.unlockNonce) refuse(Status.NOT_WORN, 'the hello carries no unlock nonce');
  const challenge = await issueChallenge(
    ctx,
    band,
    {
      kind: 'unlock',
      bandNonce: body.unlockNonce,
      sessionMaxAgeMs: ctx.config.unlockSessionMaxAgeMs,
      limitPerPayment: account.limitPerPayment,
      limitPerDay: account.limitPerDay,
    },
    {},
  );
  return { ...challenge, deviceToken: fresh };
}
