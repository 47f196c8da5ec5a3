/**
 * Accounts: register, log in (sessions), and the password checks that other services
 * need (unlock grant: account password; fallback payment: payment password). Failed
 * checks of either password count towards one lockout, so a terminal cannot guess a
 * payment password any faster than a person can guess the login.
 */
import { Status } from '../../../shared/status/codes.ts';
import type { AccountKind, AccountRow, SessionRow } from '../store.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { insertWithFreshId, toBase64Url } from './ids.ts';
import { HashOptions, PasswordHasher, newSalt } from './passwords.ts';

export interface RegisterInput { username: string; password: string; paymentPassword?: string; kind?: AccountKind; displayName?: string }
export interface AccountView { id: string; username: string; kind: AccountKind; displayName: string; limitPerPayment: number; limitPerDay: number; hasPaymentPassword: boolean }
export interface LoginResult { token: string; csrf: string; expiresAt: number; account: AccountView }
export interface Authenticated { account: AccountRow; session: SessionRow }

const USERNAME = /^[A-Za-z0-9._@-]{3,64}$/;
const PAYMENT_PASSWORD = /^[0-9]{6}$/; // Alipay's six-digit payment password

export function accountView(a: AccountRow): AccountView {
  return {
    id: a.id, username: a.username, kind: a.kind, displayName: a.displayName,
    limitPerPayment: a.limitPerPayment, limitPerDay: a.limitPerDay, hasPaymentPassword: a.payHash !== null,
  };
}

export class Accounts {
  /** A hash to spend time on for unknown usernames, so timing does not reveal which exist. */
  private readonly decoySalt = newSalt();
  /** Every password hash of this checkout, through one bounded queue. */
  readonly passwords: PasswordHasher;

  constructor(private readonly ctx: Ctx) {
    this.passwords = new PasswordHasher(ctx.config);
  }

  async register(input: RegisterInput): Promise<AccountView> {
    const { config, store } = this.ctx;
    if (!USERNAME.test(input.username)) refuse(Status.MALFORMED, 'username: 3 to 64 of letters, digits and . _ @ -');
    if (input.password.length < 8 || input.password.length > 128) refuse(Status.MALFORMED, 'password: 8 to 128 characters');
    if (input.paymentPassword !== undefined && !PAYMENT_PASSWORD.test(input.paymentPassword)) refuse(Status.MALFORMED, 'paymentPassword: six digits');
    const kind = input.kind || 'owner';
    const displayName = (input.displayName || input.username).trim();
    if (displayName.length === 0 || displayName.length > 32) refuse(Status.MALFORMED, 'displayName: 1 to 32 characters (shown on the band)');
    const salt = newSalt();
    const paySalt = input.paymentPassword !== undefined ? newSalt() : null;
    const [passwordHash, payHash] = await this.passwords.hashAll([
      { password: input.password, salt },
      ...(paySalt && input.paymentPassword !== undefined ? [{ password: input.paymentPassword, salt: paySalt }] : []),
    ]);
    const row: Omit<AccountRow, 'id'> = {
      username: input.username, kind, displayName,
      passwordHash, passwordSalt: salt, payHash: payHash ?? null,
      paySalt, failedLogins: 0, lockedUntil: 0,
      limitPerPayment: config.limitPerPayment, limitPerDay: config.limitPerDay, createdAt: this.ctx.clock(),
    };
    // A merchant's id travels on the air (8 characters): a taken one is retried with a fresh one.
    const created = await insertWithFreshId(this.ctx.provider, kind === 'merchant' ? 'm' : 'acc', (id) => store.accounts.create({ id, ...row }));
    if (!created.ok) refuse(created.status, 'that username is taken');
    return accountView(created.value);
  }

  /**
   * Checks one of the account's passwords with lockout. Unknown user, wrong password and
   * missing payment password all answer UNAUTHORIZED (no user enumeration).
   */
  async checkPassword(username: string, password: string, which: 'login' | 'payment', options: HashOptions = {}): Promise<AccountRow> {
    const { config, store, clock } = this.ctx;
    const account = await store.accounts.byUsername(username);
    const salt = account ? (which === 'login' ? account.passwordSalt : account.paySalt) : null;
    const hash = account ? (which === 'login' ? account.passwordHash : account.payHash) : null;
    if (!account || !salt || !hash) {
      await this.passwords.hash(password, this.decoySalt, options);
      refuse(Status.UNAUTHORIZED, 'wrong username or password');
    }
    const now = clock();
    if (account.lockedUntil > now) refuse(Status.ACCOUNT_LOCKED, `locked until ${new Date(account.lockedUntil).toISOString()}`);
    // A lock that has run out starts a fresh count of five, rather than relocking at the next slip.
    if (account.lockedUntil !== 0) await store.accounts.resetFailures(account.id);
    if (!(await this.passwords.verify(password, salt, hash, options))) {
      const after = await store.accounts.recordFailure(account.id, config.lockAfterFailures, now + config.lockoutMs);
      if (after.lockedUntil > now) refuse(Status.ACCOUNT_LOCKED, `too many failed attempts; locked for ${config.lockoutMs / 60_000} minutes`);
      refuse(Status.UNAUTHORIZED, 'wrong username or password');
    }
    if (account.failedLogins > 0 && account.lockedUntil === 0) await store.accounts.resetFailures(account.id);
    return account;
  }

  async login(username: string, password: string, options: HashOptions = {}): Promise<LoginResult> {
    const account = await this.checkPassword(username, password, 'login', options);
    const { provider, clock, config, store } = this.ctx;
    const token = toBase64Url(provider.randomBytes(32));
    const csrf = toBase64Url(provider.randomBytes(18));
    const now = clock();
    // Only the hash is stored: a leaked database does not hand out live sessions.
    await store.accounts.createSession({ tokenHash: this.tokenHash(token), accountId: account.id, csrf, expiresAt: now + config.sessionTtlMs, createdAt: now });
    return { token, csrf, expiresAt: now + config.sessionTtlMs, account: accountView(account) };
  }

  async logout(token: string): Promise<void> {
    await this.ctx.store.accounts.deleteSession(this.tokenHash(token));
  }

  /** The account behind a session token; UNAUTHORIZED when missing, unknown or expired. */
  async authenticate(token: string | undefined, kind?: AccountKind): Promise<Authenticated> {
    if (!token) refuse(Status.UNAUTHORIZED, 'log in first (Authorization: Bearer <token>)');
    const session = await this.ctx.store.accounts.session(this.tokenHash(token));
    if (!session) refuse(Status.UNAUTHORIZED, 'session unknown; log in again');
    if (session.expiresAt <= this.ctx.clock()) {
      await this.ctx.store.accounts.deleteSession(session.tokenHash);
      refuse(Status.UNAUTHORIZED, 'session expired; log in again');
    }
    const account = await this.ctx.store.accounts.byId(session.accountId);
    if (!account) refuse(Status.UNAUTHORIZED, 'account gone');
    if (kind && account.kind !== kind) refuse(Status.FORBIDDEN, `this needs a ${kind} account`);
    return { account, session };
  }

  private tokenHash(token: string): Uint8Array {
    return this.ctx.provider.sha256(new TextEncoder().encode(token));
  }

}
