/**
 * Issue 11, finding 11 (no quotas, no sweeps): one terminal could open trades without end,
 * and sessions, challenges, enrollment offers and pairing codes lived forever. Attacked
 * over real HTTP with requests fired at once: the caps are decided in the store with the
 * insert, so no burst gets past them; the sweep (a periodic job, driven here by the
 * harness clock) closes and deletes what expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../checkout/core/config.ts';
import type { SqliteStore } from '../../checkout/sqlite/store.ts';
import { refusal } from '../checkout/helpers/expect-refusal.ts';
import {
  PASSWORD,
  type Terminal,
  merchantWithTerminal,
  newOwner,
  newTrade,
  ownerWithBand,
} from '../checkout/helpers/fixtures.ts';
import { type Harness, looseLimits, mergeConfig, startHarness } from '../../harness/checkout-harness.ts';

const CAP = defaultConfig.maxOpenTradesPerTerminal;

describe('quotas hold under bursts', () => {
  let h: Harness;
  let shop: Terminal;
  const count = (sql: string, ...args: unknown[]): number =>
    ((h.checkout.store as SqliteStore).db.prepare(sql).get(...args) as { n: number }).n;
  beforeAll(async () => {
    h = await startHarness(mergeConfig(looseLimits, { sweepIntervalMs: 3600_000 })); // production caps (rate limits lifted: many logins from one address); the sweep only when a test runs it
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it(`a terminal firing ${CAP + 50} trade creations at once gets ${CAP} open trades and QUOTA_EXCEEDED (429) for the rest`, async () => {
    expect(CAP).toBeLessThan(600);
    const outcomes = await Promise.allSettled(
      Array.from({ length: CAP + 50 }, (_, i) =>
        shop.client.createTrade({
          outTradeNo: `burst-${i}`,
          amount: 1_00,
          currency: 'CNY',
          subject: 'x'.repeat(128),
          notifyUrl: `https://93.184.216.34/${'n'.repeat(480)}`,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(CAP);
    for (const o of outcomes)
      if (o.status === 'rejected') await refusal(Promise.reject(o.reason), 'QUOTA_EXCEEDED', 429);
    expect(
      count(`SELECT COUNT(*) AS n FROM trades WHERE terminal_id = ? AND status = 'WAIT_BUYER_PAY'`, shop.terminalId),
    ).toBe(CAP);
    // At the cap, creating a trade that exists is still the idempotent answer…
    const first = outcomes.findIndex((o) => o.status === 'fulfilled');
    expect(
      (
        await shop.client.createTrade({
          outTradeNo: `burst-${first}`,
          amount: 1_00,
          currency: 'CNY',
          subject: 'x'.repeat(128),
          notifyUrl: `https://93.184.216.34/${'n'.repeat(480)}`,
        })
      ).outTradeNo,
    ).toBe(`burst-${first}`);
    // …another terminal has its own cap, and closing a trade frees a slot.
    const other = await merchantWithTerminal(h);
    await newTrade(other, 1_00);
    await shop.client.closeTrade(`burst-${first}`);
    await newTrade(shop, 1_00);
    await refusal(newTrade(shop, 1_00), 'QUOTA_EXCEEDED');
  });

  it('an unpaid trade expires: it cannot be paid after its timeout, the sweep closes it, and the slots come back', async () => {
    const o = await ownerWithBand(h);
    h.clock.advance(defaultConfig.tradeTtlMs);
    await refusal(shop.client.payWithBand('burst-1', o.band.hello()), 'TRADE_CLOSED');
    await refusal(shop.client.payWithPassword('burst-1', o.username, '135790'), 'TRADE_CLOSED');
    const swept = await h.checkout.sweeper.runOnce();
    expect(swept.trades).toBeGreaterThanOrEqual(CAP);
    expect((await shop.client.queryTrade('burst-1')).trade.status).toBe('TRADE_CLOSED');
    expect(
      count(`SELECT COUNT(*) AS n FROM trades WHERE terminal_id = ? AND status = 'WAIT_BUYER_PAY'`, shop.terminalId),
    ).toBe(0);
    await newTrade(shop, 1_00);
  });

  it('an account keeps at most its cap of live sessions: 25 logins in bursts leave the newest, the oldest are out', async () => {
    const owner = await newOwner(h);
    const max = defaultConfig.maxSessionsPerAccount;
    // Bursts as large as the password-attempt limit lets through at once (an attempt is held
    // in the store until its hash is settled: core/accounts.ts), five bursts in a row.
    const burst = defaultConfig.loginThrottle.limit;
    const logins: Awaited<ReturnType<typeof h.client.login>>[] = [];
    for (let i = 0; i < 25; i += burst)
      logins.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(burst, 25 - i) }, () => h.client.login(owner.username, PASSWORD)),
        )),
      );
    expect(count('SELECT COUNT(*) AS n FROM sessions WHERE account_id = ?', owner.account.id)).toBe(max);
    const alive = await Promise.allSettled(logins.map((l) => h.client.withToken(l.token).me()));
    expect(alive.filter((a) => a.status === 'fulfilled')).toHaveLength(max);
    await refusal(h.client.withToken(owner.token).me(), 'UNAUTHORIZED'); // the fixture's first session, the oldest
    const last = await h.client.login(owner.username, PASSWORD);
    expect((await h.client.withToken(last.token).me()).username).toBe(owner.username); // the newest always works
  });

  it('a band has at most its cap of open challenges: 30 asked at once, the rest QUOTA_EXCEEDED until they expire', async () => {
    const o = await ownerWithBand(h);
    const max = defaultConfig.maxOpenChallengesPerBand;
    const shop2 = await merchantWithTerminal(h);
    const trades = await Promise.all(Array.from({ length: 30 }, () => newTrade(shop2, 1_00)));
    const outcomes = await Promise.allSettled(
      trades.map((t) => shop2.client.payWithBand(t.outTradeNo, o.band.hello())),
    );
    expect(outcomes.filter((x) => x.status === 'fulfilled')).toHaveLength(max);
    for (const x of outcomes)
      if (x.status === 'rejected') await refusal(Promise.reject(x.reason), 'QUOTA_EXCEEDED', 429);
    h.clock.advance(defaultConfig.challengeTtlMs + 1);
    await shop2.client.payWithBand(trades[0].outTradeNo, o.band.hello());
  });
});

describe('the sweep runs by itself and removes what expired', () => {
  let h: Harness;
  const count = (table: string): number =>
    ((h.checkout.store as SqliteStore).db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  beforeAll(async () => {
    h = await startHarness(mergeConfig(looseLimits, { sweepIntervalMs: 20 }));
  });
  afterAll(() => h.close());

  it('expired sessions, enrollment offers, pairing codes and challenges are deleted; live ones stay', async () => {
    const shop = await merchantWithTerminal(h);
    const o = await ownerWithBand(h);
    await o.client.startEnrollment();
    await shop.merchant.createPairingCode();
    await shop.client.payWithBand((await newTrade(shop, 1_00)).outTradeNo, o.band.hello());
    for (const t of ['sessions', 'enroll_offers', 'pairing_codes', 'challenges'])
      expect(count(t), t).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100)); // a few sweeps: nothing has expired yet
    expect(count('enroll_offers')).toBeGreaterThan(0);
    expect(count('pairing_codes')).toBeGreaterThan(0);
    h.clock.advance(defaultConfig.sessionTtlMs + defaultConfig.expiredChallengeRetainMs);
    const fresh = await h.client.login(o.username, PASSWORD); // made after the jump: stays
    const deadline = Date.now() + 5000;
    while (
      (count('enroll_offers') + count('pairing_codes') + count('challenges') > 0 || count('sessions') > 1) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect({
      sessions: count('sessions'),
      enrollOffers: count('enroll_offers'),
      pairingCodes: count('pairing_codes'),
      challenges: count('challenges'),
    }).toEqual({ sessions: 1, enrollOffers: 0, pairingCodes: 0, challenges: 0 });
    expect((await h.client.withToken(fresh.token).me()).username).toBe(o.username);
    expect((await h.checkout.store.ledger.counts()).trades).toBe(1);
  });

  it("quiet sign-in attempt counters and a till's old payment-password failures are swept; a payer's count is kept", async () => {
    const shop = await merchantWithTerminal(h);
    const o = await ownerWithBand(h);
    const payer = await newOwner(h);
    await refusal(h.client.login(o.username, 'not the password'), 'UNAUTHORIZED');
    await refusal(
      shop.client.payWithPassword((await newTrade(shop, 1_00)).outTradeNo, payer.username, '000000'),
      'UNAUTHORIZED',
    );
    const rows = (sql: string): number => ((h.checkout.store as SqliteStore).db.prepare(sql).get() as { n: number }).n;
    const state = () => ({
      login: rows(`SELECT COUNT(*) AS n FROM attempt_counters WHERE scope = 'login'`),
      pay: rows(`SELECT COUNT(*) AS n FROM attempt_counters WHERE scope = 'pay'`),
      till: rows('SELECT COUNT(*) AS n FROM terminal_pay_attempts'),
    });
    expect(state()).toEqual({ login: 1, pay: 1, till: 1 });
    await new Promise((r) => setTimeout(r, 100)); // a few sweeps: nothing is old enough yet
    expect(state()).toEqual({ login: 1, pay: 1, till: 1 });
    h.clock.advance(Math.max(defaultConfig.loginThrottle.forgetMs, defaultConfig.terminalPayFailures.windowMs) + 1);
    const deadline = Date.now() + 5000;
    while ((state().login > 0 || state().till > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    // The payment password's failures count until a right one or the owner's unblock (EMV's PIN try counter).
    expect(state()).toEqual({ login: 0, pay: 1, till: 0 });
  });
});
