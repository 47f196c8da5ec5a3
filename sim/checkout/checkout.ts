/**
 * The checkout as a library: `createCheckout` opens the store, loads (or creates) the
 * checkout's keys and returns one object with a method for everything. The HTTP server,
 * the CLI, the demo and the tests all drive this object; none of them holds logic of
 * its own.
 */
import { defaultProvider } from '../../shared/crypto/default-provider.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { Status } from '../../shared/status/codes.ts';
import { Accounts, AccountView, Authenticated, LoginResult, RegisterInput, accountView } from './core/accounts.ts';
import { Answers, AnswerOutcome } from './core/answers.ts';
import { BandPayments, PayWithBandInput } from './core/band-pay.ts';
import { Bands, EnrollOffer } from './core/bands.ts';
import { AddCardInput, Cards } from './core/cards.ts';
import { issuers, transitCities } from './core/catalogue.ts';
import type { IssuedChallenge } from './core/challenges.ts';
import { ConfigOverrides, resolveConfig } from './core/config.ts';
import type { Ctx } from './core/context.ts';
import { refuse } from './core/errors.ts';
import { identifyBand } from './core/hello.ts';
import { loadOrCreateKeys } from './core/keys.ts';
import { Merchants, TerminalView } from './core/merchants.ts';
import { Notifier } from './core/notifier.ts';
import { withRandomPool } from './core/random-pool.ts';
import { RateLimits } from './core/rate-limits.ts';
import { CreateTradeInput, RefundInput, TradeDetails, Trades } from './core/trades.ts';
import { grantUnlock } from './core/unlock.ts';
import { BandView, CardView, PaymentView, Receipt, RefundView, TradeView, paymentView, refundView } from './core/views.ts';
import { openSqliteStore } from './sqlite/store.ts';
import type { AccountKind, CheckoutStore, PairingCodeRow, TerminalRow } from './store.ts';
import type { SignedRequestParts } from './terminal-auth.ts';

export interface CheckoutOptions {
  /** SQLite file (created if missing); ignored when `store` is given. */
  dbFile?: string;
  store?: CheckoutStore;
  provider?: HostCryptoProvider;
  clock?: () => number;
  config?: ConfigOverrides;
  /** Deliver merchant notifications in the background (default true). */
  notify?: boolean;
}

export async function createCheckout(options: CheckoutOptions): Promise<Checkout> {
  if (!options.store && !options.dbFile) throw new Error('createCheckout needs dbFile or store');
  const store = options.store ?? openSqliteStore(options.dbFile as string);
  const provider = withRandomPool(options.provider ?? defaultProvider());
  const keys = await loadOrCreateKeys(store, provider);
  const ctx: Ctx = { store, provider, clock: options.clock ?? Date.now, config: resolveConfig(options.config), keys };
  const checkout = new Checkout(ctx);
  if (options.notify !== false) checkout.notifier.start();
  return checkout;
}

export class Checkout {
  readonly accounts: Accounts;
  readonly bands: Bands;
  readonly cards: Cards;
  readonly merchants: Merchants;
  readonly trades: Trades;
  readonly bandPayments: BandPayments;
  readonly answers: Answers;
  readonly notifier: Notifier;
  /** Attempt limits the HTTP edge applies before password work (the library's own callers are trusted). */
  readonly limits: RateLimits;

  constructor(readonly ctx: Ctx) {
    this.notifier = new Notifier(ctx);
    this.accounts = new Accounts(ctx);
    this.bands = new Bands(ctx);
    this.cards = new Cards(ctx, this.bands);
    this.merchants = new Merchants(ctx);
    this.trades = new Trades(ctx, this.accounts, () => this.notifier.kick());
    this.bandPayments = new BandPayments(ctx, this.trades);
    this.answers = new Answers(ctx, this.trades);
    this.limits = new RateLimits(ctx);
  }

  get store(): CheckoutStore {
    return this.ctx.store;
  }

  /** The checkout's public identity: what bands pin and merchants verify notifications with. */
  publicInfo(): { signingKey: Uint8Array; hpkeKey: Uint8Array; keyId: Uint8Array } {
    const k = this.ctx.keys;
    return { signingKey: k.signingPublic, hpkeKey: k.hpkePublic, keyId: k.keyId };
  }

  catalogue(): { issuers: typeof issuers; transitCities: typeof transitCities } {
    return { issuers, transitCities };
  }

  // ---- accounts ----
  register(input: RegisterInput): Promise<AccountView> { return this.accounts.register(input); }
  login(username: string, password: string): Promise<LoginResult> { return this.accounts.login(username, password); }
  logout(token: string): Promise<void> { return this.accounts.logout(token); }
  /** The account behind a session token (UNAUTHORIZED, or FORBIDDEN for the wrong kind). */
  authenticate(token: string | undefined, kind?: AccountKind): Promise<Authenticated> { return this.accounts.authenticate(token, kind); }
  async me(accountId: string): Promise<AccountView> {
    const a = await this.ctx.store.accounts.byId(accountId);
    if (!a) refuse(Status.NOT_FOUND, 'no such account');
    return accountView(a);
  }

  // ---- bands and cards (owner) ----
  startEnrollment(accountId: string): Promise<EnrollOffer> { return this.bands.startEnrollment(accountId); }
  completeEnrollment(accountId: string, enrollId: string, enrolled: Uint8Array, name = ''): Promise<BandView> {
    return this.bands.completeEnrollment(accountId, enrollId, enrolled, name);
  }
  listBands(accountId: string): Promise<BandView[]> { return this.bands.list(accountId); }
  band(accountId: string, deviceId: string): Promise<BandView> { return this.bands.get(accountId, deviceId); }
  revokeBand(accountId: string, deviceId: string): Promise<BandView> { return this.bands.revoke(accountId, deviceId); }
  /** Owner CLI on the checkout host: no session, the host's file access is the authority. */
  revokeBandById(deviceId: string): Promise<BandView> { return this.bands.revokeAny(deviceId); }
  addCard(accountId: string, deviceId: string, input: AddCardInput): Promise<{ card: CardView; challenge: IssuedChallenge }> {
    return this.cards.add(accountId, deviceId, input);
  }
  removeCard(accountId: string, deviceId: string, cardRef: string): Promise<IssuedChallenge> { return this.cards.remove(accountId, deviceId, cardRef); }
  unlock(hello: Uint8Array, username: string, password: string): Promise<IssuedChallenge> {
    return grantUnlock(this.ctx, this.accounts, hello, username, password);
  }
  async paymentsOf(accountId: string): Promise<PaymentView[]> {
    const rows = await this.ctx.store.ledger.paymentsOf(accountId);
    return Promise.all(rows.map(async (p) => paymentView(p, p.cardRef ? await this.ctx.store.bands.card(p.cardRef) : undefined)));
  }
  async refundsOf(accountId: string): Promise<RefundView[]> {
    return (await this.ctx.store.ledger.refundsOf(accountId)).map(refundView);
  }

  // ---- merchants and terminals ----
  createPairingCode(merchantId: string): Promise<PairingCodeRow> { return this.merchants.createPairingCode(merchantId); }
  /** The newest unused, unexpired code (what the merchant page shows). */
  currentPairingCode(merchantId: string): Promise<PairingCodeRow | undefined> { return this.merchants.currentPairingCode(merchantId); }
  terminals(merchantId: string): Promise<TerminalView[]> { return this.merchants.terminals(merchantId); }
  pairTerminal(code: string, publicKey: Uint8Array, name = ''): Promise<TerminalView> { return this.merchants.pair(code, publicKey, name); }
  authenticateTerminal(parts: Partial<SignedRequestParts>, method: string, path: string, body: Uint8Array): Promise<TerminalRow> {
    return this.merchants.authenticate(parts, method, path, body);
  }

  // ---- trades (terminal) ----
  createTrade(t: TerminalRow, input: CreateTradeInput): Promise<TradeView> { return this.trades.create(t, input); }
  queryTrade(t: TerminalRow, outTradeNo: string): Promise<TradeDetails> { return this.trades.query(t, outTradeNo); }
  closeTrade(t: TerminalRow, outTradeNo: string): Promise<TradeView> { return this.trades.close(t, outTradeNo); }
  refund(t: TerminalRow, outTradeNo: string, input: RefundInput): Promise<{ refund: RefundView; trade: TradeView; created: boolean }> {
    return this.trades.refund(t, outTradeNo, input);
  }
  payWithBand(t: TerminalRow, outTradeNo: string, input: PayWithBandInput): Promise<IssuedChallenge> { return this.bandPayments.start(t, outTradeNo, input); }
  payWithPassword(t: TerminalRow, outTradeNo: string, username: string, paymentPassword: string): Promise<Receipt> {
    return this.trades.payWithPassword(t, outTradeNo, username, paymentPassword);
  }
  /** A hello outside a trade: lets any bridge learn that a band is revoked and fetch its wipe. */
  async hello(hello: Uint8Array): Promise<{ wearState: number }> {
    const { body } = await identifyBand(this.ctx, hello);
    return { wearState: body.wearState };
  }

  // ---- answers (any kind) ----
  answer(challengeId: string, answer: Uint8Array, terminal: TerminalRow | null): Promise<AnswerOutcome> {
    return this.answers.answer(challengeId, answer, terminal);
  }

  async close(): Promise<void> {
    await this.notifier.stop();
    await this.ctx.store.close();
  }
}

