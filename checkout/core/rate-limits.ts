/**
 * Per-client and per-account rate limits on the requests that cost a password hash or
 * guess a secret: login (and unlock, which checks the same password), registration and
 * the payment password; and on those that leave a row behind until it expires (enrollment
 * offers, pairing codes), so one signed-in account cannot grow the database without bound. Each attempt is counted in the store before any work is done
 * (atomically, so parallel requests are all counted, from any checkout process), and one
 * over the limit is refused RATE_LIMITED with the time until its window ends.
 *
 * The checks run in order, the client first: a client that is refused does not spend the
 * account's budget, so one noisy address cannot throttle an owner it does not share.
 * OWASP Authentication Cheat Sheet, "Protect against automated attacks"; RFC 6585 §4.
 */
import { Status } from '../../shared/status/codes.ts';
import type { RateLimiter } from '../store.ts';
import type { RateLimitConfig } from './config.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';

export interface LoginLimitOptions {
  /**
   * The client proved it is trusted for this account (a device token from an earlier
   * sign-in): a stranger's flood from the same address or at the same account must not
   * lock it out, so neither count applies (its guesses are still counted by the lockout).
   */
  trusted?: boolean;
}

export class RateLimits {
  private readonly limiters: Record<keyof RateLimitConfig, RateLimiter>;

  constructor(ctx: Ctx) {
    const rules = ctx.config.rateLimits;
    const make = (name: keyof RateLimitConfig): RateLimiter => ctx.store.rateLimiter(name, rules[name]);
    this.limiters = {
      loginPerClient: make('loginPerClient'),
      loginPerAccount: make('loginPerAccount'),
      registerPerClient: make('registerPerClient'),
      payPasswordPerTerminal: make('payPasswordPerTerminal'),
      payPasswordPerAccount: make('payPasswordPerAccount'),
      enrollPerAccount: make('enrollPerAccount'),
      pairingCodePerMerchant: make('pairingCodePerMerchant'),
    };
  }

  /** Before an account-password check (login, web login, unlock); `client` is the address. */
  async login(client: string, username: string, options: LoginLimitOptions = {}): Promise<void> {
    if (options.trusted === true) return;
    await this.take('loginPerClient', client, 'login attempts from this address');
    await this.take('loginPerAccount', username, 'login attempts for this account');
  }

  /** Before a band sign-in is started or its code looked up (a code is a secret to guess): the address's login budget. */
  async bandLogin(client: string): Promise<void> {
    await this.take('loginPerClient', client, 'sign-in attempts from this address');
  }

  async register(client: string): Promise<void> {
    await this.take('registerPerClient', client, 'new accounts from this address');
  }

  /** Before a payment-password check: per terminal, then per payer across terminals. */
  async payPassword(terminalId: string, username: string): Promise<void> {
    await this.take('payPasswordPerTerminal', terminalId, 'payment-password attempts from this terminal');
    await this.take('payPasswordPerAccount', username, 'payment-password attempts for this payer');
  }

  /** Before an enrollment offer is stored for `accountId`. */
  async enroll(accountId: string): Promise<void> {
    await this.take('enrollPerAccount', accountId, 'enrollments started by this account');
  }

  /** Before a pairing code is stored for `merchantId`. */
  async pairingCode(merchantId: string): Promise<void> {
    await this.take('pairingCodePerMerchant', merchantId, 'pairing codes for this merchant');
  }

  private async take(name: keyof RateLimitConfig, key: string, what: string): Promise<void> {
    const r = await this.limiters[name].consume(key);
    if (r.allowed) return;
    refuse(Status.RATE_LIMITED, `too many ${what}; try again in ${Math.ceil(r.retryAfterMs / 1000)} s`, {
      retryAfterMs: r.retryAfterMs,
    });
  }
}
