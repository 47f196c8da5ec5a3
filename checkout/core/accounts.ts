/**
 * Accounts: register, log in (sessions), and the account-password check that other
 * services need (unlock grant, unblocking the payment password). Every check of the
 * account password is paid for before it is hashed (store.ts AttemptStore), against the
 * client's device token if it brings a valid one, else against the account's counter for
 * untrusted clients (core/device-tokens.ts). The payment password has its own counter
 * (core/pay-password.ts).
 */
import { Status } from '../../shared/status/codes.ts';
import { cleanDisplayName, displayNameKey, displayNameProblem } from '../display-name.ts';
import { MERCHANT_CATEGORIES, isMerchantCategory } from './merchant-category.ts';
import type { AccountKind, AccountRow, AttemptScope, SessionRow } from '../store.ts';
import type { Ctx } from './context.ts';
import { issueDeviceToken, verifyDeviceToken } from './device-tokens.ts';
import { refuse } from './errors.ts';
import { insertWithFreshId } from './ids.ts';
import { toBase64Url } from '../api/base64url.ts';
import { PasswordHasher, newSalt } from './passwords.ts';
import type { AccountView } from '../api/views.ts';

export type { AccountView };

export interface RegisterInput {
  username: string;
  password: string;
  paymentPassword?: string;
  kind?: AccountKind;
  displayName?: string;
  /** Merchants only: a category of merchant-category.ts, for category promotions. */
  category?: string;
}
/** `deviceToken`: a fresh device token for the client to keep and send with its next sign-in. */
export interface LoginResult {
  token: string;
  csrf: string;
  expiresAt: number;
  account: AccountView;
  deviceToken: string;
}
export interface Authenticated {
  account: AccountRow;
  session: SessionRow;
}
export interface PasswordCheck {
  account: AccountRow;
  deviceToken: string;
}

const USERNAME = /^[A-Za-z0-9._@-]{3,64}$/;
const PAYMENT_PASSWORD = /^[0-9]{6}$/; // Alipay's six-digit payment password

export function accountView(a: AccountRow, paymentPasswordBlocked = false): AccountView {
  return {
    id: a.id,
    username: a.username,
    kind: a.kind,
    displayName: a.displayName,
    limitPerPayment: a.limitPerPayment,
    limitPerDay: a.limitPerDay,
    hasPaymentPassword: a.payHash !== null,
    paymentPasswordBlocked,
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
    if (input.password.length < 8 || input.password.length > 128)
      refuse(Status.MALFORMED, 'password: 8 to 128 characters');
    if (input.paymentPassword !== undefined && !PAYMENT_PASSWORD.test(input.paymentPassword))
      refuse(Status.MALFORMED, 'paymentPassword: six digits');
    const kind = input.kind || 'owner';
    if (input.category !== undefined && (kind !== 'merchant' || !isMerchantCategory(input.category)))
      refuse(Status.MALFORMED, `category: merchants only, one of ${MERCHANT_CATEGORIES.join(', ')}`);
    const shown = input.displayName || input.username;
    const problem = displayNameProblem(shown);
    if (problem !== null) refuse(Status.MALFORMED, problem);
    const displayName = cleanDisplayName(shown);
    // Only merchants' names reach a band's screen; they are unique up to what a wearer can tell apart.
    const nameKey = kind === 'merchant' ? displayNameKey(displayName) : null;
    const salt = newSalt();
    const paySalt = input.paymentPassword !== undefined ? newSalt() : null;
    const [passwordHash, payHash] = await this.passwords.hashAll([
      { password: input.password, salt },
      ...(paySalt && input.paymentPassword !== undefined ? [{ password: input.paymentPassword, salt: paySalt }] : []),
    ]);
    const row: Omit<AccountRow, 'id'> = {
      username: input.username,
      kind,
      displayName,
      passwordHash,
      passwordSalt: salt,
      payHash: payHash ?? null,
      paySalt,
      limitPerPayment: config.limitPerPayment,
      limitPerDay: config.limitPerDay,
      createdAt: this.ctx.clock(),
    };
    // A merchant's id travels on the air (8 characters): a taken one is retried with a fresh one.
    const created = await insertWithFreshId(this.ctx.provider, kind === 'merchant' ? 'm' : 'acc', (id) =>
      store.accounts.create({ id, ...row }, nameKey),
    );
    if (!created.ok)
      refuse(
        created.status,
        created.detail === 'display name taken'
          ? `a merchant already shows as "${displayName}" (or a name that looks the same)`
          : 'that username is taken',
      );
    if (input.category !== undefined) await store.merchants.setCategory(created.value.id, input.category);
    return accountView(created.value);
  }

  /**
   * Checks the account password. Unknown user and wrong password both answer UNAUTHORIZED
   * (no user enumeration). The attempt is reserved in the store before the hash is computed,
   * so guesses sent at once evaluate at most the limit (issue 11, finding 1).
   */
  async checkPassword(username: string, password: string, deviceToken?: string): Promise<PasswordCheck> {
    const { config, store, clock } = this.ctx;
    const account = await store.accounts.byUsername(username);
    if (!account) {
      await this.passwords.hash(password, this.decoySalt);
      refuse(Status.UNAUTHORIZED, 'wrong username or password');
    }
    const nonce = verifyDeviceToken(this.ctx, account.username, deviceToken);
    const scope: AttemptScope = nonce !== null ? 'device' : 'login';
    const subject = nonce ?? account.id;
    const policy = nonce !== null ? config.deviceThrottle : config.loginThrottle;
    const held = await store.attempts.reserve(scope, subject, policy, clock());
    if (!held.granted) lockedOut(nonce !== null, held.retryAt, clock());
    // Should the hash throw (or the hash queue refuse it), the reservation stays a failure: the
    // safe side. A valid device token takes the trusted lane, which a stranger's flood cannot fill.
    const ok = await this.passwords.verify(password, account.passwordSalt, account.passwordHash, {
      trusted: nonce !== null,
    });
    await store.attempts.settle(scope, subject, policy, ok, clock());
    if (!ok) {
      const after = await store.attempts.counter(scope, subject);
      if (after && after.lockedUntil > clock()) lockedOut(nonce !== null, after.lockedUntil, clock());
      refuse(Status.UNAUTHORIZED, 'wrong username or password');
    }
    return { account, deviceToken: issueDeviceToken(this.ctx, account.username, nonce ?? undefined) };
  }

  /**
   * Whether a device token is valid for this username (signed by us, unexpired): such a
   * client skips the per-address and per-account rate limits and hashes in the trusted
   * lane, so a stranger's flood cannot keep the owner out (its own counter still applies).
   */
  trustsDevice(username: string, deviceToken: string | undefined): boolean {
    return verifyDeviceToken(this.ctx, username, deviceToken) !== null;
  }

  async login(username: string, password: string, deviceToken?: string): Promise<LoginResult> {
    const checked = await this.checkPassword(username, password, deviceToken);
    const { account } = checked;
    // An account that asks for its band after the password (core/identity-login.ts): no session yet.
    if ((await this.ctx.store.identity.credentialsOf(account.id)).some((c) => c.required))
      refuse(Status.BAND_REQUIRED, 'the password is right; this account also asks for its band', {
        accountId: account.id,
        deviceToken: checked.deviceToken,
      });
    return { ...(await this.openSession(account)), deviceToken: checked.deviceToken };
  }

  /** A new session for an account that has proved itself (its password, or its band: identity-login.ts). */
  async openSession(account: AccountRow): Promise<Omit<LoginResult, 'deviceToken'>> {
    const { provider, clock, config, store } = this.ctx;
    const token = toBase64Url(provider.randomBytes(32));
    const csrf = toBase64Url(provider.randomBytes(18));
    const now = clock();
    // Only the hash is stored: a leaked database does not hand out live sessions.
    await store.accounts.createSession(
      {
        tokenHash: this.tokenHash(token),
        accountId: account.id,
        csrf,
        expiresAt: now + config.sessionTtlMs,
        createdAt: now,
      },
      config.maxSessionsPerAccount,
    );
    return {
      token,
      csrf,
      expiresAt: now + config.sessionTtlMs,
      account: await this.view(account),
    };
  }

  /** The account as the API shows it (with whether its payment password is blocked). */
  async view(account: AccountRow): Promise<AccountView> {
    const pay = await this.ctx.store.attempts.counter('pay', account.id);
    return accountView(account, pay !== undefined && pay.failures >= this.ctx.config.payPasswordLimit);
  }

  /**
   * The owner lifts the block on the payment password by proving the account password (as a
   * bank card's PIN is unblocked by the bank, not at the till).
   */
  async unblockPaymentPassword(
    account: AccountRow,
    password: string,
    deviceToken?: string,
  ): Promise<{ account: AccountView; deviceToken: string }> {
    if (account.kind !== 'owner') refuse(Status.FORBIDDEN, 'only owners have a payment password');
    const checked = await this.checkPassword(account.username, password, deviceToken);
    await this.ctx.store.attempts.reset('pay', account.id);
    return { account: await this.view(account), deviceToken: checked.deviceToken };
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

/** ACCOUNT_LOCKED with the time left: a throttle on this client kind, never a lock on the owner. */
function lockedOut(trusted: boolean, retryAt: number | null, now: number): never {
  const retryAfterMs = Math.max(1000, (retryAt ?? now) - now);
  const wait = `try again in ${Math.ceil(retryAfterMs / 1000)} s`;
  refuse(
    Status.ACCOUNT_LOCKED,
    trusted
      ? `too many failed sign-ins from this device; ${wait}`
      : `too many failed sign-ins from new devices; ${wait}, or from a device that has signed in before`,
    { retryAfterMs },
  );
}
