/** Rows for the store contract suite: valid by default, each field overridable. */
import { randomBytes } from 'node:crypto';
import type {
  AccountRow,
  BandRow,
  CardRow,
  ChallengeRow,
  CheckoutStore,
  NotificationRow,
  PaymentCommit,
  TerminalRow,
  TradeRow,
} from '../../checkout/store.ts';

let seq = 0;
export const uid = (prefix: string): string => `${prefix}_${process.pid}_${++seq}_${randomBytes(3).toString('hex')}`;
const bytes = (n: number) => new Uint8Array(randomBytes(n));

export function account(o: Partial<AccountRow> = {}): AccountRow {
  const id = o.id ?? uid('acc');
  return {
    id,
    username: id,
    kind: 'owner',
    displayName: `Name ${id}`,
    passwordHash: bytes(32),
    passwordSalt: bytes(16),
    payHash: null,
    paySalt: null,
    limitPerPayment: 10_000,
    limitPerDay: 50_000,
    createdAt: 1_000,
    ...o,
  };
}

export function band(accountId: string, o: Partial<BandRow> = {}): BandRow {
  return {
    deviceId: uid('dev'),
    accountId,
    name: 'band',
    signingKey: bytes(65),
    hpkeKey: bytes(65),
    status: 'active',
    enrolledAt: 2_000,
    revokedAt: null,
    wipedAt: null,
    unlockedAt: null,
    checkoutKey: 1,
    lastSeenAt: null,
    lastSeenTerminal: null,
    lastSeenBattery: null,
    findRequestedAt: null,
    rangAt: null,
    ...o,
  };
}

export function card(deviceId: string, o: Partial<CardRow> = {}): CardRow {
  return {
    cardRef: uid('card'),
    deviceId,
    kind: 'bank',
    issuerId: 'icbc',
    issuer: 'ICBC',
    last4: '1234',
    isDefault: true,
    city: null,
    currency: 'CNY',
    balance: 0,
    fareCap: 0,
    state: 'active',
    lastCounter: -1,
    createdAt: 3_000,
    ...o,
  };
}

export function terminal(merchantId: string, o: Partial<TerminalRow> = {}): TerminalRow {
  return {
    id: uid('term'),
    merchantId,
    name: 'till 1',
    publicKey: bytes(65),
    createdAt: 4_000,
    unpairedAt: null,
    suspendedAt: null,
    ...o,
  };
}

export function trade(merchantId: string, terminalId: string, o: Partial<TradeRow> = {}): TradeRow {
  return {
    tradeNo: uid('trd'),
    merchantId,
    terminalId,
    outTradeNo: uid('order'),
    amount: 1_000,
    currency: 'CNY',
    subject: 'coffee',
    notifyUrl: null,
    status: 'WAIT_BUYER_PAY',
    refundedAmount: 0,
    createdAt: 5_000,
    paidAt: null,
    closedAt: null,
    ...o,
  };
}

export function challenge(deviceId: string, o: Partial<ChallengeRow> = {}): ChallengeRow {
  return {
    id: uid('chl'),
    deviceId,
    kind: 'payment',
    nonce: bytes(16),
    expiresAt: 60_000,
    tradeNo: null,
    terminalId: null,
    cardRef: null,
    express: false,
    enc: bytes(65),
    answerSecret: bytes(32),
    resultSecret: bytes(32),
    createdAt: 6_000,
    answeredAt: null,
    outcome: null,
    terms: null,
    ...o,
  };
}

export function notification(tradeNo: string, o: Partial<NotificationRow> = {}): NotificationRow {
  return {
    id: uid('ntf'),
    tradeNo,
    url: 'https://merchant.example/notify',
    body: '{}',
    attempts: 0,
    nextAt: 7_000,
    deliveredAt: null,
    lastError: null,
    createdAt: 7_000,
    ...o,
  };
}

/** A merchant with a paired terminal, an owner with a band and a card, and an open trade. */
export async function world(s: CheckoutStore) {
  const merchant = account({ kind: 'merchant' });
  const owner = account();
  for (const a of [merchant, owner]) expectOk(await s.accounts.create(a));
  const till = terminal(merchant.id);
  expectOk(await s.merchants.createTerminal(till));
  const b = band(owner.id);
  expectOk(await s.bands.create(b));
  const c = card(b.deviceId);
  expectOk(await s.bands.addCard(c, 8));
  const t = trade(merchant.id, till.id);
  expectOk(await s.ledger.createTrade(t, { maxOpen: 100, openSince: 0 }));
  return { merchant, owner, till, band: b, card: c, trade: t };
}

/** A band payment of `trade` through a fresh challenge, with counter `counter`. */
export async function bandPayment(
  s: CheckoutStore,
  w: Awaited<ReturnType<typeof world>>,
  o: { trade?: TradeRow; counter?: number; challengeId?: string; day?: number } = {},
): Promise<PaymentCommit> {
  const t = o.trade ?? w.trade;
  let challengeId = o.challengeId;
  if (!challengeId) {
    const ch = challenge(w.band.deviceId, { tradeNo: t.tradeNo, terminalId: w.till.id, cardRef: w.card.cardRef });
    expectOk(await s.challenges.create(ch, 100));
    challengeId = ch.id;
  }
  const counter = o.counter ?? 1;
  return {
    payment: {
      id: uid('pay'),
      tradeNo: t.tradeNo,
      accountId: w.owner.id,
      deviceId: w.band.deviceId,
      cardRef: w.card.cardRef,
      amount: t.amount,
      currency: t.currency,
      method: 'band',
      counter,
      challengeId,
      day: o.day ?? 100,
      confirmed: false,
      createdAt: 8_000,
    },
    challengeId,
    counter: { cardRef: w.card.cardRef, value: counter },
    dayLimit: { perDay: w.owner.limitPerDay, confirmed: false, amount: t.amount, currency: 'CNY' },
    notification: notification(t.tradeNo),
    terminalIds: [w.till.id],
  };
}

export function expectOk<T>(c: { ok: true; value: T } | { ok: false; status: number; detail?: string }): T {
  if (!c.ok) throw new Error(`expected ok, got status ${c.status}: ${c.detail}`);
  return c.value;
}
