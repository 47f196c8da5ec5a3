/**
 * The checkout as a library: `createCheckout` opens the store, loads (or creates) the
 * checkout's keys and returns one object with a method for everything. The HTTP server,
 * the CLI, the demo and the tests all drive this object; none of them holds logic of
 * its own.
 */
import { defaultProvider } from '../shared/crypto/default-provider.ts';
import type { HostCryptoProvider } from '../shared/crypto/host-provider.ts';
import { Status } from '../shared/status/codes.ts';
import {
  Accounts,
  type AccountView,
  type Authenticated,
  type LoginResult,
  type RegisterInput,
} from './core/accounts.ts';
import { Answers, type AnswerOutcome } from './core/answers.ts';
import { BandPayments, type PayWithBandInput } from './core/band-pay.ts';
import { Bands, type EnrollOffer } from './core/bands.ts';
import { type AddCardInput, Cards } from './core/cards.ts';
import { issuers, transitCities } from './api/catalogue.ts';
import type { IssuedChallenge } from './core/issued-challenge.ts';
import { type ConfigOverrides, resolveConfig } from './core/config.ts';
import type { Ctx } from './core/context.ts';
import { refuse } from './core/errors.ts';
import { identifyBand } from './core/hello.ts';
import { Identity } from './core/identity.ts';
import { loadOrCreateKeys } from './core/keys.ts';
import { MerchantReports } from './core/merchant-reports.ts';
import { Merchants, type TerminalView } from './core/merchants.ts';
import { Notifier } from './core/notifier.ts';
import { withRandomPool } from './core/random-pool.ts';
import { Sweeper } from './core/sweeper.ts';
import { RateLimits } from './core/rate-limits.ts';
import { type CreateTradeInput, type RefundInput, type TradeDetails, Trades } from './core/trades.ts';
import { TurnOffCodes } from './core/turn-off.ts';
import { type UnlockGrant, grantUnlock } from './core/unlock.ts';
import type { FoundBandView } from './api/views.ts';
import {
  type BandView,
  type CardView,
  type OwnerPaymentView,
  type Receipt,
  type RefundView,
  type TradeView,
  paymentView,
  refundView,
} from './core/views.ts';
import { CheckoutMetrics } from './metrics.ts';
import { openStore } from './open-store.ts';
import type { Promotion } from './core/promotion-file.ts';
import { loadPromotions } from './promotions.ts';
import { type RewardsView, rewardsOf } from './core/rewards.ts';
import type { AccountKind, AccountRow, CheckoutStore, PairingCodeRow, TerminalRow } from './store.ts';
import type { SignedRequestParts } from './api/terminal-auth.ts';

export interface CheckoutOptions {
  /**
   * A SQLite file (created if missing) or a postgres:// URL (open-store.ts); ignored when
   * `store` is given.
   */
  db?: string;
  /** PostgreSQL: connections this process keeps at most. */
  dbPoolSize?: number;
  store?: CheckoutStore;
  provider?: HostCryptoProvider;
  clock?: () => number;
  config?: ConfigOverrides;
  /** Deliver merchant notifications in the background (default true). */
  notify?: boolean;
  /** Run the expiry sweep in the background (default true). */
  sweep?: boolean;
  /** The promotions in force (default: the shipped checkout/promotions.json, promotions.ts). */
  promotions?: readonly Promotion[];
}

/** A band just enrolled, with the owner's new one-time turn-off code (shown once, stored hashed). */
export type EnrolledBand = BandView & { turnOffCode: string };

export async function createCheckout(options: CheckoutOptions): Promise<Checkout> {
  if (!options.store && !options.db) throw new Error('createCheckout needs db or store');
  const store = options.store ?? (await openStore(options.db as string, { poolSize: options.dbPoolSize }));
  const provider = withRandomPool(options.provider ?? defaultProvider());
  const keys = await loadOrCreateKeys(store, provider);
  const metrics = new CheckoutMetrics(store);
  const ctx: Ctx = {
    store,
    provider,
    clock: options.clock ?? store.clock,
    config: resolveConfig(options.config),
    keys,
    observer: metrics,
    promotions: options.promotions ?? loadPromotions(),
  };
  const checkout = new Checkout(ctx, metrics);
  if (options.notify !== false) checkout.notifier.start();
  if (options.sweep !== false) checkout.sweeper.start();
  return checkout;
}

export class Checkout {
  readonly accounts: Accounts;
  readonly bands: Bands;
  readonly cards: Cards;
  readonly merchants: Merchants;
  /** A merchant's sales, refunds and day totals (bounded reads). */
  readonly reports: MerchantReports;
  readonly trades: Trades;
  readonly bandPayments: BandPayments;
  readonly answers: Answers;
  readonly turnOffCodes: TurnOffCodes;
  readonly notifier: Notifier;
  readonly sweeper: Sweeper;
  /** Attempt limits the HTTP edge applies before password work (the library's own callers are trusted). */
  readonly limits: RateLimits;
  /** The band as a sign-in key (core/identity.ts). */
  readonly identity: Identity;

  /** @param metrics this instance's own registry (GET /metrics), fed through ctx.observer. */
  constructor(
    readonly ctx: Ctx,
    readonly metrics: CheckoutMetrics,
  ) {
    this.notifier = new Notifier(ctx);
    this.sweeper = new Sweeper(ctx);
    this.accounts = new Accounts(ctx);
    this.bands = new Bands(ctx);
    this.cards = new Cards(ctx, this.bands);
    this.merchants = new Merchants(ctx);
    this.reports = new MerchantReports(ctx);
    // One password hasher (and so one bounded queue) for the account and the payment password.
    this.trades = new Trades(ctx, () => this.notifier.kick(), this.accounts.passwords);
    this.bandPayments = new BandPayments(ctx, this.trades);
    this.answers = new Answers(ctx, this.trades);
    this.turnOffCodes = new TurnOffCodes(ctx);
    this.limits = new RateLimits(ctx);
    this.identity = new Identity(ctx, this.accounts);
  }

  get store(): CheckoutStore {
    return this.ctx.store;
  }

  /** The checkout's public identity: what bands pin and merchants verify notifications with. */
  publicInfo(): { signingKey: Uint8Array; hpkeKey: Uint8Array; keyId: Uint8Array } {
    const k = this.ctx.keys;
    return { signingKey: k.signingPublic, hpkeKey: k.hpkePublic, keyId: k.keyId };
  }

  /**
   * Why this checkout cannot take traffic, or null when it can (GET /readyz): the store
   * answers a query, its schema is the one this code was written for (not older: a
   * migration failed; not newer: an old binary on a new database), and the keys are loaded.
   */
  async notReadyReason(): Promise<string | null> {
    let health;
    try {
      health = await this.ctx.store.health();
    } catch {
      return 'the store does not answer';
    }
    if (health.schemaVersion !== health.expectedSchemaVersion)
      return `schema version ${health.schemaVersion}, this checkout needs ${health.expectedSchemaVersion}`;
    const k = this.ctx.keys;
    if (k.signingPublic.length === 0 || k.hpkePublic.length === 0) return 'the checkout keys are not loaded';
    return null;
  }

  catalogue(): { issuers: typeof issuers; transitCities: typeof transitCities } {
    return { issuers, transitCities };
  }

  // ---- accounts ----
  register(input: RegisterInput): Promise<AccountView> {
    return this.accounts.register(input);
  }
  /** `deviceToken`: what this client got at its last sign-in (core/device-tokens.ts), if any. */
  login(username: string, password: string, deviceToken?: string): Promise<LoginResult> {
    return this.accounts.login(username, password, deviceToken);
  }
  logout(token: string): Promise<void> {
    return this.accounts.logout(token);
  }
  /** The account behind a session token (UNAUTHORIZED, or FORBIDDEN for the wrong kind). */
  authenticate(token: string | undefined, kind?: AccountKind): Promise<Authenticated> {
    return this.accounts.authenticate(token, kind);
  }
  async me(accountId: string): Promise<AccountView> {
    const a = await this.ctx.store.accounts.byId(accountId);
    if (!a) refuse(Status.NOT_FOUND, 'no such account');
    return this.accounts.view(a);
  }
  /** Owner: unblocks the payment password with the account password. */
  unblockPaymentPassword(
    account: AccountRow,
    password: string,
    deviceToken?: string,
  ): Promise<{ account: AccountView; deviceToken: string }> {
    return this.accounts.unblockPaymentPassword(account, password, deviceToken);
  }

  // ---- bands and cards (owner) ----
  async startEnrollment(accountId: string): Promise<EnrollOffer> {
    await this.limits.enroll(accountId);
    return this.bands.startEnrollment(accountId);
  }
  /** Enrolls the band and issues the owner a fresh turn-off code (replacing any earlier one). */
  async completeEnrollment(
    accountId: string,
    enrollId: string,
    enrolled: Uint8Array,
    name = '',
  ): Promise<EnrolledBand> {
    const band = await this.bands.completeEnrollment(accountId, enrollId, enrolled, name);
    return { ...band, turnOffCode: await this.turnOffCodes.issue(accountId) };
  }
  /** A new turn-off code for a logged-in owner; the old one stops working. */
  newTurnOffCode(accountId: string): Promise<string> {
    return this.turnOffCodes.issue(accountId);
  }
  /** /lost without the password: username + one-time code turns every band of the owner off. */
  turnOffWithCode(username: string, code: string): Promise<BandView[]> {
    return this.turnOffCodes.turnOff(username, code);
  }
  listBands(accountId: string): Promise<BandView[]> {
    return this.bands.list(accountId);
  }
  band(accountId: string, deviceId: string): Promise<BandView> {
    return this.bands.get(accountId, deviceId);
  }
  /** Where and when the owner's band was last seen (core/last-seen.ts); revoked and wiped bands too. */
  findBand(accountId: string, deviceId: string): Promise<FoundBandView> {
    return this.bands.find(accountId, deviceId);
  }
  /** Ring the band at its next contact (`ring` true) or withdraw the request. */
  ringBand(accountId: string, deviceId: string, ring: boolean): Promise<FoundBandView> {
    return this.bands.ring(accountId, deviceId, ring);
  }
  findBands(accountId: string): Promise<FoundBandView[]> {
    return this.bands.findAll(accountId);
  }
  revokeBand(accountId: string, deviceId: string): Promise<BandView> {
    return this.bands.revoke(accountId, deviceId);
  }
  /** Owner CLI on the checkout host: no session, the host's file access is the authority. */
  revokeBandById(deviceId: string): Promise<BandView> {
    return this.bands.revokeAny(deviceId);
  }
  addCard(
    accountId: string,
    deviceId: string,
    input: AddCardInput,
  ): Promise<{ card: CardView; challenge: IssuedChallenge }> {
    return this.cards.add(accountId, deviceId, input);
  }
  /** The owner's default card of its kind; no radio: the next payment challenge names it. */
  setDefaultCard(accountId: string, deviceId: string, cardRef: string): Promise<CardView> {
    return this.cards.setDefault(accountId, deviceId, cardRef);
  }
  removeCard(accountId: string, deviceId: string, cardRef: string): Promise<IssuedChallenge> {
    return this.cards.remove(accountId, deviceId, cardRef);
  }
  unlock(hello: Uint8Array, username: string, password: string, deviceToken?: string): Promise<UnlockGrant> {
    return grantUnlock(this.ctx, this.accounts, hello, username, password, deviceToken);
  }
  async paymentsOf(accountId: string): Promise<OwnerPaymentView[]> {
    const rows = await this.ctx.store.ledger.paymentsOf(accountId);
    return Promise.all(
      rows.map(async (p) => ({
        ...paymentView(p, p.cardRef ? await this.ctx.store.bands.card(p.cardRef) : undefined),
        merchantName: p.merchantName,
      })),
    );
  }
  async refundsOf(accountId: string): Promise<RefundView[]> {
    return (await this.ctx.store.ledger.refundsOf(accountId)).map(refundView);
  }
  /** Points per card and what promotions did to the owner's payments (core/rewards.ts). */
  rewardsOf(accountId: string): Promise<RewardsView> {
    return rewardsOf(this.ctx, accountId);
  }

  // ---- merchants and terminals ----
  async createPairingCode(merchantId: string): Promise<PairingCodeRow> {
    await this.limits.pairingCode(merchantId);
    return this.merchants.createPairingCode(merchantId);
  }
  /** The newest unused, unexpired code (what the merchant page shows). */
  currentPairingCode(merchantId: string): Promise<PairingCodeRow | undefined> {
    return this.merchants.currentPairingCode(merchantId);
  }
  terminals(merchantId: string): Promise<TerminalView[]> {
    return this.merchants.terminals(merchantId);
  }
  /** Merchant: lets a suspended terminal sign again. */
  liftTerminalSuspension(merchantId: string, terminalId: string): Promise<TerminalView> {
    return this.merchants.liftSuspension(merchantId, terminalId);
  }
  pairTerminal(code: string, publicKey: Uint8Array, name = ''): Promise<TerminalView> {
    return this.merchants.pair(code, publicKey, name);
  }
  unpairTerminal(merchantId: string, terminalId: string): Promise<TerminalView> {
    return this.merchants.unpair(merchantId, terminalId);
  }
  renameTerminal(merchantId: string, terminalId: string, name: string): Promise<TerminalView> {
    return this.merchants.rename(merchantId, terminalId, name);
  }
  authenticateTerminal(
    parts: Partial<SignedRequestParts>,
    method: string,
    path: string,
    body: Uint8Array,
  ): Promise<TerminalRow> {
    return this.merchants.authenticate(parts, method, path, body);
  }

  // ---- trades (terminal) ----
  createTrade(t: TerminalRow, input: CreateTradeInput): Promise<TradeView> {
    return this.trades.create(t, input);
  }
  queryTrade(t: TerminalRow, outTradeNo: string): Promise<TradeDetails> {
    return this.trades.query(t, outTradeNo);
  }
  closeTrade(t: TerminalRow, outTradeNo: string): Promise<TradeView> {
    return this.trades.close(t, outTradeNo);
  }
  refund(
    t: TerminalRow,
    outTradeNo: string,
    input: RefundInput,
  ): Promise<{ refund: RefundView; trade: TradeView; created: boolean }> {
    return this.trades.refund(t, outTradeNo, input);
  }
  payWithBand(t: TerminalRow, outTradeNo: string, input: PayWithBandInput): Promise<IssuedChallenge> {
    return this.bandPayments.start(t, outTradeNo, input);
  }
  payWithPassword(t: TerminalRow, outTradeNo: string, username: string, paymentPassword: string): Promise<Receipt> {
    return this.trades.payWithPassword(t, outTradeNo, username, paymentPassword);
  }
  /** A hello outside a trade: lets any bridge learn that a band is revoked and fetch its wipe. */
  async hello(t: TerminalRow, hello: Uint8Array): Promise<{ wearState: number }> {
    const { body } = await identifyBand(this.ctx, hello, t);
    return { wearState: body.wearState };
  }

  // ---- answers (any kind) ----
  answer(challengeId: string, answer: Uint8Array, terminal: TerminalRow | null): Promise<AnswerOutcome> {
    return this.answers.answer(challengeId, answer, terminal);
  }

  async close(): Promise<void> {
    await this.notifier.stop();
    await this.sweeper.stop();
    await this.ctx.store.close();
  }
}
