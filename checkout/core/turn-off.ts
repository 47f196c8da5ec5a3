/**
 * The owner's one-time turn-off code (issue 11): shown once at enrolment, it turns the
 * owner's bands off on /lost (or POST /v1/bands/turn-off) with the username alone, no
 * password, so a stranger who locks the password out cannot keep a thief paying.
 *
 * - 12 symbols from a 32-symbol alphabet without 0/O/1/I: 60 bits. Guesses are bounded per
 *   account (config.turnOffMaxGuesses per config.turnOffWindowMs, counted in the store
 *   before anything is hashed), so a year of guessing finds it with probability ~2^-42.
 *   With ≥ 50 bits a fast hash is enough (OWASP Password Storage: slow hashes are for
 *   low-entropy secrets); SHA-256 over a domain label and the account id, so equal codes of
 *   two accounts do not hash alike.
 * - Single use: using it spends it and revokes every active band of the account in one
 *   transaction. The owner, logged in, may ask for a new one (which replaces the old).
 */
import { constantTimeEqual } from '../../shared/crypto/bytes.ts';
import { Status } from '../../shared/status/codes.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { type BandView, bandView } from './views.ts';

/** 32 symbols: digits 2–9 and A–Z without I and O (no 0/O or 1/I to confuse). */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const LENGTH = 12;

/** How the code is shown: XXXX-XXXX-XXXX. */
function display(raw: string): string {
  return raw.match(/.{4}/g)?.join('-') ?? raw;
}

/** What a person may type: any case, spaces and hyphens ignored. Null when it cannot be a code. */
export function normaliseTurnOffCode(typed: string): string | null {
  const raw = typed.replace(/[\s-]/g, '').toUpperCase();
  if (raw.length !== LENGTH) return null;
  for (const ch of raw) if (!ALPHABET.includes(ch)) return null;
  return raw;
}

export class TurnOffCodes {
  constructor(private readonly ctx: Ctx) {}

  /** A fresh code for the account (replacing any earlier one); the plain text is returned once and never stored. */
  async issue(accountId: string): Promise<string> {
    const { provider, store, clock } = this.ctx;
    let raw = '';
    // 256 = 8 × 32: every byte maps to one symbol with equal probability.
    for (const b of provider.randomBytes(LENGTH)) raw += ALPHABET[b & 31];
    await store.turnOff.setCode(accountId, this.hash(accountId, raw), clock());
    return display(raw);
  }

  /**
   * Username + code → every band of the owner turned off. Wrong username, wrong code and a
   * spent code all answer UNAUTHORIZED; past the guess limit RATE_LIMITED, with the time.
   */
  async turnOff(username: string, typed: string): Promise<BandView[]> {
    const { config, store, clock } = this.ctx;
    const raw = normaliseTurnOffCode(typed);
    if (raw === null)
      refuse(Status.MALFORMED, `code: the ${LENGTH} characters you were given at enrolment (XXXX-XXXX-XXXX)`);
    const account = await store.accounts.byUsername(username);
    if (account?.kind !== 'owner') refuse(Status.UNAUTHORIZED, 'wrong username or turn-off code');
    const now = clock();
    // Counted before the hash is computed: N parallel guesses evaluate at most the limit.
    const attempt = await store.turnOff.takeAttempt(account.id, now, config.turnOffMaxGuesses, config.turnOffWindowMs);
    if (!attempt.allowed) {
      refuse(
        Status.RATE_LIMITED,
        `too many wrong turn-off codes for this account; try again after ${new Date(attempt.retryAt).toISOString()}, or log in and use Turn off wrist payments`,
        { retryAfterMs: attempt.retryAt - now },
      );
    }
    const hash = this.hash(account.id, raw);
    const { codeHash, usedAt } = attempt.row;
    if (codeHash === null || usedAt !== null || !constantTimeEqual(hash, codeHash)) {
      refuse(Status.UNAUTHORIZED, 'wrong username or turn-off code (a code works once; log in for a new one)');
    }
    const bands = await store.turnOff.useCode(account.id, hash, now);
    if (!bands) refuse(Status.UNAUTHORIZED, 'this turn-off code has just been used');
    return Promise.all(bands.map(async (b) => bandView(b, await store.bands.cards(b.deviceId))));
  }

  private hash(accountId: string, raw: string): Uint8Array {
    return this.ctx.provider.sha256(new TextEncoder().encode(`wristpay/1 turn-off\n${accountId}\n${raw}`));
  }
}
