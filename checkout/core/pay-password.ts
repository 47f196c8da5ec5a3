/**
 * The six-digit payment password typed at a terminal when no band can sign. Like a bank
 * card's PIN (EMV's PIN try counter): 5 wrong in a row, at any terminals, block it until
 * the owner unblocks it with the account password; a right one resets the count. Each
 * attempt is reserved in the store before it is hashed (issue 11, finding 2: 40 parallel
 * guesses found a payer's PIN), together with the terminal's own count: a till failing for
 * many payers is suspended and shown to its merchant (store.ts AttemptStore.reservePay).
 */
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { AccountRow, PayAttempt, TerminalRow } from '../store.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { toBase64Url } from '../api/base64url.ts';
import { type PasswordHasher, newSalt } from './passwords.ts';

export class PayPasswords {
  /** Unknown payers cost a hash too, so timing does not reveal who has a payment password. */
  private readonly decoySalt = newSalt();

  constructor(
    private readonly ctx: Ctx,
    private readonly passwords: PasswordHasher,
  ) {}

  /** The payer whose payment password this is; UNAUTHORIZED, PAY_PASSWORD_BLOCKED, TERMINAL_SUSPENDED or RATE_LIMITED otherwise. */
  async check(terminal: TerminalRow, username: string, paymentPassword: string): Promise<AccountRow> {
    const { config, store, clock, provider } = this.ctx;
    // Never right, so not worth one of the payer's five tries.
    if (!/^[0-9]{6}$/.test(paymentPassword)) refuse(Status.MALFORMED, 'paymentPassword: six digits');
    const found = await store.accounts.byUsername(username);
    const payer =
      found?.payHash && found.paySalt ? { account: found, hash: found.payHash, salt: found.paySalt } : undefined;
    // An unknown payer still counts against the terminal, under the name it typed.
    const attempt: PayAttempt = {
      id: toBase64Url(provider.randomBytes(16)),
      terminalId: terminal.id,
      accountId: payer ? payer.account.id : null,
      payer: payer ? payer.account.id : `?${username}`,
    };
    const held = await store.attempts.reservePay(attempt, config.payPasswordLimit, config.terminalPayFailures, clock());
    if (!held.granted) refuseHeld(held.status, held.retryAt, clock());
    const ok = payer
      ? await this.passwords.verify(paymentPassword, payer.salt, payer.hash)
      : await this.decoy(paymentPassword);
    const after = await store.attempts.settlePay(attempt, ok, config.terminalPayFailures, clock());
    if (!ok || !payer) {
      if (after && after.failures >= config.payPasswordLimit) refuseHeld(Status.PAY_PASSWORD_BLOCKED, null, clock());
      refuse(Status.UNAUTHORIZED, 'wrong username or payment password');
    }
    return payer.account;
  }

  /** An unknown payer's try: as slow as a real check, and always wrong. */
  private async decoy(paymentPassword: string): Promise<false> {
    await this.passwords.hash(paymentPassword, this.decoySalt);
    return false;
  }
}

function refuseHeld(status: StatusCode, retryAt: number | null, now: number): never {
  if (status === Status.PAY_PASSWORD_BLOCKED) {
    refuse(
      Status.PAY_PASSWORD_BLOCKED,
      'too many wrong payment passwords: it is blocked until its owner unblocks it with the account password (dashboard, or POST /v1/me/payment-password/unblock)',
    );
  }
  if (status === Status.TERMINAL_SUSPENDED)
    refuse(
      Status.TERMINAL_SUSPENDED,
      'this terminal is suspended after wrong payment passwords for several payers; its merchant can lift that on /merchant',
    );
  const retryAfterMs = Math.max(1000, (retryAt ?? now) - now);
  refuse(
    Status.RATE_LIMITED,
    `too many wrong payment passwords at this terminal; try again in ${Math.ceil(retryAfterMs / 1000)} s`,
    { retryAfterMs },
  );
}
