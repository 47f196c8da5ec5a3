/**
 * Typed client of the checkout's HTTP API (fetch-based), for the bridge CLI, the demo
 * and the tests. Protocol messages go in and come out as bytes; base64url is this file's
 * business. A refusal throws CheckoutHttpError carrying the status code and, where the
 * checkout sent them, the RESULT for the band and a challenge to deliver (the WIPE).
 *
 * Three kinds of caller: anonymous, an account (bearer token from login), and a paired
 * terminal (every request signed, see terminal-auth.ts). `withToken`/`withTerminal`
 * return a new client; a client is immutable.
 */
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import type { CryptoProvider } from '../../shared/crypto/provider.ts';
import { isValidScalar } from '../../shared/crypto/p256-host.ts';
import { Status, statusName } from '../../shared/status/codes.ts';
import type * as Api from './types.ts';
import { fromBase64Url, toBase64Url } from './base64url.ts';
import { NotifyHeader } from './notification.ts';
import { type TerminalCredentials, signTerminalRequest } from './terminal-auth.ts';

export type { Api };

/** A challenge as bytes: write `message` to the band, post its answer under `challengeId`. */
export interface Challenge {
  challengeId: string;
  kind: Api.ChallengeJson['kind'];
  message: Uint8Array;
  expiresAt: number;
}

export class CheckoutHttpError extends Error {
  constructor(
    readonly status: number,
    readonly statusName: string,
    readonly httpStatus: number,
    message: string,
    readonly result?: Uint8Array,
    readonly challenge?: Challenge,
    /** From Retry-After: when a throttled request (RATE_LIMITED) may be sent again. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${statusName}: ${message}`);
    this.name = 'CheckoutHttpError';
  }
}

/**
 * The checkout could not be reached at all (nothing listening, no such host, a time-out):
 * fetch's TypeError, with the URL it was sent to and the cause's code (ECONNREFUSED,
 * ENOTFOUND, UND_ERR_CONNECT_TIMEOUT, …), so the one who reads it knows where and why.
 */
export class CheckoutUnreachableError extends TypeError {
  readonly code: string | undefined;
  /** The cause's own message (e.g. "bad port", "connect ECONNREFUSED 127.0.0.1:8420"). */
  readonly reason: string | undefined;
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super('fetch failed', { cause });
    this.name = 'CheckoutUnreachableError';
    const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
    this.code = typeof inner?.code === 'string' ? inner.code : undefined;
    this.reason = typeof inner?.message === 'string' ? inner.message : undefined;
  }
}

/** Signs requests as a paired terminal. Keep the scalar secret; it is the terminal's identity. */
export class TerminalSigner {
  private readonly creds: TerminalCredentials;
  constructor(
    readonly provider: CryptoProvider & Pick<HostCryptoProvider, 'p256ImportPrivate'>,
    terminalId: string,
    scalar: Uint8Array,
    readonly clock: () => number = Date.now,
  ) {
    const key = provider.p256ImportPrivate(scalar);
    if (!key) throw new Error('terminal key: not a valid P-256 scalar');
    this.creds = { terminalId, key };
  }
  get terminalId(): string {
    return this.creds.terminalId;
  }
  headers(method: string, path: string, body: Uint8Array): Record<string, string> {
    return signTerminalRequest(this.provider, this.creds, method, path, body, this.clock());
  }
}

/** A fresh terminal key: store `scalar` privately, send `publicKey` with the pairing code. */
export function createTerminalKey(provider: HostCryptoProvider): { scalar: Uint8Array; publicKey: Uint8Array } {
  let scalar = provider.randomBytes(32);
  while (!isValidScalar(scalar)) scalar = provider.randomBytes(32);
  const key = provider.p256ImportPrivate(scalar);
  if (!key) throw new Error('unreachable: scalar checked');
  return { scalar, publicKey: provider.p256PublicKey(key) };
}

/** For the merchant's notify endpoint: true when the body was signed by the checkout. */
export function verifyNotification(
  provider: CryptoProvider,
  checkoutSigningKey: Uint8Array,
  body: string,
  headers: Record<string, string | string[] | undefined>,
): boolean {
  const sig = headers[NotifyHeader.SIGNATURE];
  const bytes = typeof sig === 'string' ? fromBase64Url(sig) : null;
  return bytes !== null && provider.p256Verify(checkoutSigningKey, new TextEncoder().encode(body), bytes);
}

export function challenge(c: Api.ChallengeJson): Challenge {
  return { challengeId: c.challengeId, kind: c.kind, message: b64(c.challenge), expiresAt: c.expiresAt };
}

function b64(text: string): Uint8Array {
  const bytes = fromBase64Url(text);
  if (!bytes) throw new Error('checkout sent invalid base64url');
  return bytes;
}

const seg = encodeURIComponent;

export interface ClientOptions {
  token?: string;
  terminal?: TerminalSigner;
  fetch?: typeof fetch;
  /**
   * How long one request (its answer, body included) may take before it is given up as
   * unreachable (code REQUEST_TIMEOUT); default 30 s. Without it, a checkout that took the
   * connection and never answered (a process killed with the request in flight, a stuck proxy)
   * would hold a till forever.
   */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class CheckoutClient {
  readonly baseUrl: string;
  constructor(
    baseUrl: string,
    private readonly options: ClientOptions = {},
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  withToken(token: string): CheckoutClient {
    return new CheckoutClient(this.baseUrl, { ...this.options, token });
  }
  withTerminal(terminal: TerminalSigner): CheckoutClient {
    return new CheckoutClient(this.baseUrl, { ...this.options, terminal });
  }

  /** One request; `sign` adds the terminal signature (required for terminal endpoints). */
  async request<T>(method: string, path: string, body?: unknown, sign = false): Promise<T> {
    const bytes = body === undefined ? new Uint8Array(0) : new TextEncoder().encode(JSON.stringify(body));
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    if (sign) {
      if (!this.options.terminal) throw new Error(`${method} ${path} must be signed: use withTerminal()`);
      Object.assign(headers, this.options.terminal.headers(method, path, bytes));
    }
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const signal = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await (this.options.fetch ?? fetch)(this.baseUrl + path, {
        method,
        headers,
        body: bytes.length ? bytes : undefined,
        signal,
      });
      text = await res.text();
    } catch (e) {
      if (e instanceof TypeError) throw new CheckoutUnreachableError(this.baseUrl + path, e);
      if (signal.aborted)
        throw new CheckoutUnreachableError(this.baseUrl + path, {
          cause: { code: 'REQUEST_TIMEOUT', message: `no answer within ${timeoutMs} ms` },
        });
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CheckoutHttpError(Status.INTERNAL, 'INTERNAL', res.status, `non-JSON reply (HTTP ${res.status})`);
    }
    if (res.ok) return json as T;
    const e = (json as Api.ErrorJson).error ?? {
      status: Status.INTERNAL,
      name: 'INTERNAL',
      message: 'no error object',
    };
    const err = json as Api.ErrorJson;
    const retryAfter = Number(res.headers.get('retry-after') ?? NaN);
    throw new CheckoutHttpError(
      e.status,
      e.name ?? statusName(e.status) ?? 'UNKNOWN',
      res.status,
      e.message,
      err.result ? b64(err.result) : undefined,
      err.challenge ? challenge(err.challenge) : undefined,
      Number.isSafeInteger(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
    );
  }

  // ---- public ----
  async info(): Promise<{ signingKey: Uint8Array; hpkeKey: Uint8Array; keyId: Uint8Array }> {
    const r = await this.request<Api.CheckoutInfoJson>('GET', '/v1/checkout');
    return { signingKey: b64(r.signingKey), hpkeKey: b64(r.hpkeKey), keyId: b64(r.keyId) };
  }
  catalogue(): Promise<Api.CatalogueJson> {
    return this.request('GET', '/v1/catalogue');
  }

  // ---- accounts ----
  async register(req: Api.RegisterRequest): Promise<Api.AccountView> {
    return (await this.request<{ account: Api.AccountView }>('POST', '/v1/accounts', req)).account;
  }
  /** `deviceToken`: the one this client got at its last sign-in; keep the reply's for the next. */
  login(username: string, password: string, deviceToken?: string): Promise<Api.SessionJson> {
    return this.request('POST', '/v1/sessions', { username, password, deviceToken } satisfies Api.LoginRequest);
  }
  /** Logs in and returns a client that carries the session. */
  async loginAs(username: string, password: string): Promise<CheckoutClient> {
    return this.withToken((await this.login(username, password)).token);
  }
  async logout(): Promise<void> {
    await this.request('DELETE', '/v1/sessions');
  }
  async me(): Promise<Api.AccountView> {
    return (await this.request<{ account: Api.AccountView }>('GET', '/v1/me')).account;
  }
  /** Owner: unblocks the payment password with the account password. */
  unblockPaymentPassword(password: string, deviceToken?: string): Promise<Api.UnblockJson> {
    return this.request('POST', '/v1/me/payment-password/unblock', {
      password,
      deviceToken,
    } satisfies Api.UnblockRequest);
  }

  // ---- bands and cards (owner session) ----
  async startEnrollment(): Promise<{ enrollId: string; enroll: Uint8Array; expiresAt: number }> {
    const r = await this.request<Api.EnrollJson>('POST', '/v1/bands/enroll');
    return { enrollId: r.enrollId, enroll: b64(r.enroll), expiresAt: r.expiresAt };
  }
  /** The enrolled band, with the owner's one-time turn-off code (shown once: tell the owner to keep it). */
  async completeEnrollment(
    enrollId: string,
    enrolled: Uint8Array,
    name?: string,
  ): Promise<Api.BandView & { turnOffCode: string }> {
    const body: Api.EnrolledRequest = { enrollId, enrolled: toBase64Url(enrolled), name };
    const r = await this.request<Api.EnrolledJson>('POST', '/v1/bands/enrolled', body);
    return { ...r.band, turnOffCode: r.turnOffCode };
  }
  /** A new turn-off code (the old one stops working). */
  async newTurnOffCode(): Promise<string> {
    return (await this.request<Api.TurnOffCodeJson>('POST', '/v1/bands/turn-off-code')).turnOffCode;
  }
  /** No session: the username and the one-time code turn every band of the owner off. */
  async turnOffWithCode(username: string, code: string): Promise<Api.BandView[]> {
    return (
      await this.request<{ bands: Api.BandView[] }>('POST', '/v1/bands/turn-off', {
        username,
        code,
      } satisfies Api.TurnOffRequest)
    ).bands;
  }
  async bands(): Promise<Api.BandView[]> {
    return (await this.request<{ bands: Api.BandView[] }>('GET', '/v1/bands')).bands;
  }
  async band(deviceId: string): Promise<Api.BandView> {
    return (await this.request<{ band: Api.BandView }>('GET', `/v1/bands/${seg(deviceId)}`)).band;
  }
  /** Where and when the band was last seen (its last contact with the checkout); the owner's bands only. */
  async lastSeen(deviceId: string): Promise<Api.FoundBandView> {
    return (await this.request<{ band: Api.FoundBandView }>('GET', `/v1/bands/${seg(deviceId)}/last-seen`)).band;
  }

  /** Asks the band to ring at its next contact (`ring` true), or withdraws the request. */
  async ring(deviceId: string, ring: boolean): Promise<Api.FoundBandView> {
    const method = ring ? 'POST' : 'DELETE';
    return (await this.request<{ band: Api.FoundBandView }>(method, `/v1/bands/${seg(deviceId)}/ring`)).band;
  }
  async revokeBand(deviceId: string): Promise<Api.BandView> {
    return (await this.request<{ band: Api.BandView }>('POST', `/v1/bands/${seg(deviceId)}/revoke`)).band;
  }
  async addCard(deviceId: string, req: Api.AddCardRequest): Promise<{ card: Api.CardView; challenge: Challenge }> {
    const r = await this.request<{ card: Api.CardView; challenge: Api.ChallengeJson }>(
      'POST',
      `/v1/bands/${seg(deviceId)}/cards`,
      req,
    );
    return { card: r.card, challenge: challenge(r.challenge) };
  }
  /** Makes the card the default of its kind (bank, transit); the checkout alone, no band needed. */
  async setDefaultCard(deviceId: string, cardRef: string): Promise<Api.CardView> {
    return (
      await this.request<{ card: Api.CardView }>('POST', `/v1/bands/${seg(deviceId)}/cards/${seg(cardRef)}/default`)
    ).card;
  }
  async removeCard(deviceId: string, cardRef: string): Promise<Challenge> {
    return challenge(
      (
        await this.request<{ challenge: Api.ChallengeJson }>(
          'DELETE',
          `/v1/bands/${seg(deviceId)}/cards/${seg(cardRef)}`,
        )
      ).challenge,
    );
  }
  ledger(): Promise<Api.LedgerJson> {
    return this.request('GET', '/v1/payments');
  }
  /** The owner's points per card and what promotions did to their payments. */
  rewards(): Promise<Api.RewardsView> {
    return this.request('GET', '/v1/rewards');
  }
  /** Unlock grant: the band's HELLO plus the account password (no session needed). */
  async unlock(hello: Uint8Array, username: string, password: string, deviceToken?: string): Promise<Challenge> {
    return (await this.unlockWithDevice(hello, username, password, deviceToken)).challenge;
  }
  /** The same, with the fresh device token to keep for the next sign-in or unlock. */
  async unlockWithDevice(
    hello: Uint8Array,
    username: string,
    password: string,
    deviceToken?: string,
  ): Promise<{ challenge: Challenge; deviceToken: string }> {
    const body: Api.UnlockRequest = { hello: toBase64Url(hello), username, password, deviceToken };
    const r = await this.request<Api.UnlockJson>('POST', '/v1/unlock', body);
    return { challenge: challenge(r.challenge), deviceToken: r.deviceToken };
  }

  // ---- merchants and pairing ----
  createPairingCode(): Promise<Api.PairingCodeJson> {
    return this.request('POST', '/v1/merchant/pairing-codes');
  }
  async terminals(): Promise<Api.TerminalView[]> {
    return (await this.request<{ terminals: Api.TerminalView[] }>('GET', '/v1/merchant/terminals')).terminals;
  }
  async renameTerminal(terminalId: string, name: string): Promise<Api.TerminalView> {
    return (
      await this.request<{ terminal: Api.TerminalView }>('PATCH', `/v1/merchant/terminals/${seg(terminalId)}`, {
        name,
      } satisfies Api.RenameTerminalRequest)
    ).terminal;
  }
  async unpairTerminal(terminalId: string): Promise<Api.TerminalView> {
    return (await this.request<{ terminal: Api.TerminalView }>('DELETE', `/v1/merchant/terminals/${seg(terminalId)}`))
      .terminal;
  }
  /** Merchant: lets a terminal suspended after wrong payment passwords sign again. */
  async liftTerminalSuspension(terminalId: string): Promise<Api.TerminalView> {
    return (
      await this.request<{ terminal: Api.TerminalView }>(
        'POST',
        `/v1/merchant/terminals/${seg(terminalId)}/lift-suspension`,
      )
    ).terminal;
  }
  sales(q: Api.ReportParams = {}): Promise<Api.SalesJson> {
    return this.request('GET', `/v1/merchant/sales${reportParams(q)}`);
  }
  merchantRefunds(q: Api.ReportParams = {}): Promise<Api.MerchantRefundsJson> {
    return this.request('GET', `/v1/merchant/refunds${reportParams(q)}`);
  }
  dayTotals(q: Api.ReportParams = {}): Promise<Api.DayTotalsJson> {
    return this.request('GET', `/v1/merchant/day-totals${reportParams(q)}`);
  }
  async pairTerminal(code: string, publicKey: Uint8Array, name?: string): Promise<Api.TerminalView> {
    const body: Api.PairRequest = { code, publicKey: toBase64Url(publicKey), name };
    return (await this.request<{ terminal: Api.TerminalView }>('POST', '/v1/terminals', body)).terminal;
  }

  // ---- terminal (signed) ----
  hello(hello: Uint8Array): Promise<Api.HelloJson> {
    return this.request('POST', '/v1/hello', { hello: toBase64Url(hello) }, true);
  }
  async createTrade(req: Api.CreateTradeRequest): Promise<Api.TradeView> {
    return (await this.request<{ trade: Api.TradeView }>('POST', '/v1/trades', req, true)).trade;
  }
  queryTrade(outTradeNo: string): Promise<Api.TradeDetailsJson> {
    return this.request('GET', `/v1/trades/${seg(outTradeNo)}`, undefined, true);
  }
  async payWithBand(outTradeNo: string, hello: Uint8Array, express?: boolean): Promise<Challenge> {
    const body: Api.PayWithBandRequest = { hello: toBase64Url(hello), express };
    return challenge(
      (await this.request<{ challenge: Api.ChallengeJson }>('POST', `/v1/trades/${seg(outTradeNo)}/pay`, body, true))
        .challenge,
    );
  }
  payWithPassword(
    outTradeNo: string,
    username: string,
    paymentPassword: string,
  ): Promise<{ receipt: Api.Receipt; trade: Api.TradeView }> {
    return this.request(
      'POST',
      `/v1/trades/${seg(outTradeNo)}/pay-password`,
      { username, paymentPassword } satisfies Api.PayWithPasswordRequest,
      true,
    );
  }
  refund(outTradeNo: string, req: Api.RefundRequest): Promise<Api.RefundJson> {
    return this.request('POST', `/v1/trades/${seg(outTradeNo)}/refunds`, req, true);
  }
  async closeTrade(outTradeNo: string): Promise<Api.TradeView> {
    return (
      await this.request<{ trade: Api.TradeView }>('POST', `/v1/trades/${seg(outTradeNo)}/close`, undefined, true)
    ).trade;
  }

  /** Posts a band's ANSWER; signed when this client is a terminal (payments require it). */
  async answer(
    challengeId: string,
    answer: Uint8Array,
  ): Promise<{
    kind: Api.AnswerJson['kind'];
    result: Uint8Array;
    receipt?: Api.Receipt;
    card?: Api.CardView;
    keyUpdate?: Challenge;
    identity?: Api.AnswerJson['identity'];
  }> {
    const r = await this.request<Api.AnswerJson>(
      'POST',
      `/v1/challenges/${seg(challengeId)}/answer`,
      { answer: toBase64Url(answer) } satisfies Api.AnswerRequest,
      this.options.terminal !== undefined,
    );
    return {
      kind: r.kind,
      result: b64(r.result),
      receipt: r.receipt,
      card: r.card,
      keyUpdate: r.keyUpdate ? challenge(r.keyUpdate) : undefined,
      identity: r.identity,
    };
  }
}

function reportParams(q: Api.ReportParams): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  const text = p.toString();
  return text ? `?${text}` : '';
}
