/**
 * The store contract: what every CheckoutStore must do, run against SQLite and PostgreSQL
 * alike (sqlite.test.ts, postgres.test.ts). `a` and `b` are two stores on one database, as
 * two checkout processes would hold (two SQLite connections to one file; two PostgreSQL
 * pools): the races are raced across them, with the calls in flight together.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Status } from '../../shared/status/codes.ts';
import type { CheckoutStore, PaymentCommit } from '../../checkout/store.ts';
import { identityContract } from './identity-contract.ts';
import { account, band, bandPayment, card, challenge, expectOk, notification, trade, uid, world } from './rows.ts';

export interface StorePair {
  a: CheckoutStore;
  b: CheckoutStore;
  close(): Promise<void>;
}

/** Alternates calls between the two stores, all started before any is awaited. */
function raced<T>(p: StorePair, n: number, call: (s: CheckoutStore, i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => call(i % 2 === 0 ? p.a : p.b, i)));
}

export function storeContract(name: string, open: () => Promise<StorePair>): void {
  describe(`${name}: the store contract`, () => {
    let p: StorePair;
    beforeEach(async () => {
      p = await open();
    });
    afterEach(async () => {
      await p.close();
    });

    identityContract(() => p);

    it('accounts: each of the three unique keys is refused for what it is, and bytes come back as written', async () => {
      const m = account({ kind: 'merchant' });
      expectOk(await p.a.accounts.create(m, 'cafe'));
      expect(await p.b.accounts.create(account({ username: m.username }))).toMatchObject({
        ok: false,
        detail: 'username taken',
      });
      expect(await p.b.accounts.create(account({ kind: 'merchant' }), 'cafe')).toMatchObject({
        detail: 'display name taken',
      });
      expect(await p.b.accounts.create(account({ id: m.id, username: uid('u') }))).toMatchObject({ idTaken: true });
      const back = await p.b.accounts.byUsername(m.username);
      expect(back).toEqual(m);
      expect(back?.passwordHash).toBeInstanceOf(Uint8Array);
    });

    it('sessions: the cap keeps the newest, and the new one always', async () => {
      const o = account();
      expectOk(await p.a.accounts.create(o));
      const tokens = [1, 2, 3].map((i) => ({
        tokenHash: new Uint8Array([i, 9]),
        accountId: o.id,
        csrf: 'c',
        expiresAt: 99_000,
        createdAt: i,
      }));
      for (const t of tokens) await p.a.accounts.createSession(t, 2);
      expect(await p.b.accounts.session(tokens[0].tokenHash)).toBeUndefined();
      expect(await p.b.accounts.session(tokens[2].tokenHash)).toEqual(tokens[2]);
      await p.b.accounts.deleteSession(tokens[2].tokenHash);
      expect(await p.a.accounts.session(tokens[2].tokenHash)).toBeUndefined();
    });

    it('an enrollment offer taken by two callers at once goes to one of them', async () => {
      const o = account();
      expectOk(await p.a.accounts.create(o));
      for (let i = 0; i < 5; i++) {
        const offer = { id: uid('offer'), accountId: o.id, nonce: new Uint8Array([i]), expiresAt: 99_000 };
        await p.a.accounts.createEnrollOffer(offer);
        const got = await raced(p, 4, (s) => s.accounts.takeEnrollOffer(offer.id));
        expect(got.filter((x) => x !== undefined)).toEqual([offer]);
      }
    });

    it('bands: enrolled once; revoked once (the first time kept); wiping removes its cards', async () => {
      const w = await world(p.a);
      expect(await p.b.bands.create(w.band)).toMatchObject({ ok: false, status: Status.ALREADY_ENROLLED });
      expect(await p.b.bands.revoke(w.band.deviceId, 10)).toMatchObject({ status: 'revoked', revokedAt: 10 });
      expect(await p.a.bands.revoke(w.band.deviceId, 20)).toMatchObject({ status: 'revoked', revokedAt: 10 });
      await p.a.bands.markWiped(w.band.deviceId, 30);
      expect(await p.b.bands.byId(w.band.deviceId)).toMatchObject({ status: 'wiped', wipedAt: 30 });
      expect(await p.b.bands.cards(w.band.deviceId)).toMatchObject([{ state: 'removed' }]);
    });

    it("bands: the last contact is kept (the latest wins, whatever order they land in), revoked bands' too", async () => {
      const w = await world(p.a);
      const id = w.band.deviceId;
      expect(await p.b.bands.byId(id)).toMatchObject({ lastSeenAt: null, lastSeenTerminal: null });
      await p.a.bands.markSeen(id, 5_000, w.till.id, 80);
      expect(await p.b.bands.byId(id)).toMatchObject({
        lastSeenAt: 5_000,
        lastSeenTerminal: w.till.id,
        lastSeenBattery: 80,
      });
      await p.b.bands.markSeen(id, 4_000, null, 90); // an earlier contact, written late
      expect(await p.a.bands.byId(id)).toMatchObject({
        lastSeenAt: 5_000,
        lastSeenTerminal: w.till.id,
        lastSeenBattery: 80,
      });
      await raced(p, 6, (s, i) => s.bands.markSeen(id, 6_000 + i, i === 5 ? w.till.id : null, i));
      expect(await p.a.bands.byId(id)).toMatchObject({
        lastSeenAt: 6_005,
        lastSeenTerminal: w.till.id,
        lastSeenBattery: 5,
      });
      expect(await p.b.bands.revoke(id, 7_000)).toMatchObject({ status: 'revoked', lastSeenAt: 6_005 });
      await p.b.bands.markSeen(id, 8_000, null, null);
      expect(await p.a.bands.byAccount(w.owner.id)).toMatchObject([
        { status: 'revoked', lastSeenAt: 8_000, lastSeenTerminal: null, lastSeenBattery: null },
      ]);
      await p.a.bands.markSeen('no-such-band', 9_000, w.till.id, 50); // writes nothing, refuses nothing
      expect(await p.b.bands.byId('no-such-band')).toBeUndefined();
    });

    it('bands: a ring request stays open until the band rings or the owner withdraws it', async () => {
      const w = await world(p.a);
      const id = w.band.deviceId;
      expect(await p.b.bands.byId(id)).toMatchObject({ findRequestedAt: null, rangAt: null });
      await p.a.bands.requestFind(id, 1_000);
      expect(await p.b.bands.byId(id)).toMatchObject({ findRequestedAt: 1_000, rangAt: null });
      await p.b.bands.markRang(id, 2_000);
      expect(await p.a.bands.byId(id)).toMatchObject({ findRequestedAt: null, rangAt: 2_000 });
      await p.a.bands.requestFind(id, 3_000);
      await p.b.bands.requestFind(id, null);
      expect(await p.a.bands.byId(id)).toMatchObject({ findRequestedAt: null, rangAt: 2_000 });
    });

    it('a band never holds more than the limit, however many adds race', async () => {
      const o = account();
      expectOk(await p.a.accounts.create(o));
      const b = band(o.id);
      expectOk(await p.a.bands.create(b));
      const results = await raced(p, 24, (s) => s.bands.addCard(card(b.deviceId), 8));
      expect(results.filter((r) => r.ok)).toHaveLength(8);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.status === Status.WALLET_FULL)).toBe(true);
      expect(await p.a.bands.cards(b.deviceId)).toHaveLength(8);
      expect(
        await p.b.bands.addCard({ ...card(b.deviceId), cardRef: (await p.a.bands.cards(b.deviceId))[0].cardRef }, 99),
      ).toMatchObject({ idTaken: true });
    });

    it('default cards: one per kind, only an active card of the band, and one winner when sets race', async () => {
      const w = await world(p.a);
      const id = w.band.deviceId;
      const cmb = card(id, { issuerId: 'cmb', issuer: 'China Merchants Bank', isDefault: false, createdAt: 3_001 });
      const metro = card(id, { kind: 'transit', issuerId: 'shanghai', city: 'Shanghai', isDefault: true });
      const beijing = card(id, { kind: 'transit', issuerId: 'beijing', city: 'Beijing', isDefault: false });
      const pending = card(id, { isDefault: false, state: 'pending' });
      for (const c of [cmb, metro, beijing, pending]) expectOk(await p.a.bands.addCard(c, 8));
      const defaults = async () =>
        (await p.a.bands.cards(id))
          .filter((c) => c.isDefault)
          .map((c) => [c.kind, c.cardRef])
          .sort();
      expect(await p.b.bands.setDefaultCard(id, cmb.cardRef)).toBe(true);
      // The bank default moved; the transit default is another kind's and stays.
      expect(await defaults()).toEqual([
        ['bank', cmb.cardRef],
        ['transit', metro.cardRef],
      ]);
      expect(await p.b.bands.setDefaultCard(id, beijing.cardRef)).toBe(true);
      expect(await defaults()).toEqual([
        ['bank', cmb.cardRef],
        ['transit', beijing.cardRef],
      ]);
      // Refused, changing nothing: unknown, not yet confirmed by the band, being removed, another band's.
      await p.a.bands.setCardState(w.card.cardRef, 'removing');
      const other = band(w.owner.id);
      expectOk(await p.a.bands.create(other));
      const theirs = card(other.deviceId);
      expectOk(await p.a.bands.addCard(theirs, 8));
      for (const ref of ['card_nowhere', pending.cardRef, w.card.cardRef])
        expect(await p.b.bands.setDefaultCard(id, ref)).toBe(false);
      expect(await p.b.bands.setDefaultCard(id, theirs.cardRef)).toBe(false);
      expect(await p.b.bands.setDefaultCard(other.deviceId, cmb.cardRef)).toBe(false);
      expect(await defaults()).toEqual([
        ['bank', cmb.cardRef],
        ['transit', beijing.cardRef],
      ]);
      // Two owners' clicks at once: each statement moves the default whole, so one default remains.
      await p.a.bands.setCardState(w.card.cardRef, 'active');
      for (let round = 0; round < 5; round++) {
        const refs = [w.card.cardRef, cmb.cardRef];
        await raced(p, 6, (s, i) => s.bands.setDefaultCard(id, refs[i % 2]));
        const banks = (await defaults()).filter(([kind]) => kind === 'bank');
        expect(banks).toHaveLength(1);
      }
    });

    it('challenges: the open quota holds under a race; the answer context reads every row; answered once', async () => {
      const w = await world(p.a);
      const results = await raced(p, 6, (s) => s.challenges.create(challenge(w.band.deviceId), 3));
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      const ch = challenge(w.band.deviceId, {
        tradeNo: w.trade.tradeNo,
        cardRef: w.card.cardRef,
        createdAt: 1,
        expiresAt: 2,
      });
      expectOk(await p.a.challenges.create(ch, 10));
      const ctx = await p.b.challenges.withContext(ch.id);
      expect(ctx).toEqual({
        challenge: ch,
        trade: w.trade,
        band: w.band,
        card: w.card,
        payer: { accountId: w.owner.id, limitPerPayment: w.owner.limitPerPayment, limitPerDay: w.owner.limitPerDay },
        merchantName: w.merchant.displayName,
      });
      expect(await p.a.challenges.withContext('no such')).toBeUndefined();
      const answered = await raced(p, 4, (s) => s.challenges.markAnswered(ch.id, 0x23, 9));
      expect(answered.filter(Boolean)).toHaveLength(1);
    });

    it('a pairing code pairs one terminal, even when two race for it', async () => {
      const m = account({ kind: 'merchant' });
      expectOk(await p.a.accounts.create(m));
      const code = { code: uid('code'), merchantId: m.id, expiresAt: 50, usedAt: null };
      await p.a.merchants.createPairingCode(code);
      expect(await p.b.merchants.latestPairingCode(m.id, 10)).toEqual(code);
      const got = await raced(p, 4, (s) => s.merchants.takePairingCode(code.code, 10));
      expect(got.filter((x) => x !== undefined)).toEqual([{ ...code, usedAt: 10 }]);
      const late = { code: uid('code'), merchantId: m.id, expiresAt: 50, usedAt: null };
      await p.a.merchants.createPairingCode(late);
      expect(await p.b.merchants.takePairingCode(late.code, 50)).toBeUndefined();
    });

    it('terminals: renamed and unpaired by their own merchant only; unpairing keeps its first time', async () => {
      const w = await world(p.a);
      expect(await p.b.merchants.renameTerminal(w.till.id, 'someone else', 'x')).toBeUndefined();
      expect(await p.b.merchants.renameTerminal(w.till.id, w.merchant.id, 'front')).toMatchObject({ name: 'front' });
      expect(await p.a.merchants.unpairTerminal(w.till.id, w.merchant.id, 5)).toMatchObject({ unpairedAt: 5 });
      expect(await p.b.merchants.unpairTerminal(w.till.id, w.merchant.id, 6)).toMatchObject({ unpairedAt: 5 });
      expect(await p.a.merchants.terminals(w.merchant.id)).toHaveLength(1);
    });

    it('trades: one per order number; the open-trade quota holds under a race', async () => {
      const w = await world(p.a);
      const again = await p.b.ledger.createTrade({ ...w.trade, tradeNo: uid('trd') }, { maxOpen: 100, openSince: 0 });
      expect(expectOk(again)).toEqual({ trade: w.trade, created: false });
      const results = await raced(p, 10, (s) =>
        s.ledger.createTrade(trade(w.merchant.id, w.till.id), { maxOpen: 5, openSince: 0 }),
      );
      expect(results.filter((r) => r.ok && r.value.created)).toHaveLength(4); // the world's trade is the fifth
      expect(await p.a.ledger.closeTrade(w.trade.tradeNo, 9)).toMatchObject({
        ok: true,
        value: { status: 'TRADE_CLOSED' },
      });
      expect(await p.b.ledger.closeTrade(w.trade.tradeNo, 9)).toMatchObject({ ok: false, status: Status.TRADE_CLOSED });
    });

    it('a payment commits every row at once, and a replay of its challenge is refused with nothing written', async () => {
      const w = await world(p.a);
      const c = await bandPayment(p.a, w, { counter: 5 });
      expect(expectOk(await p.b.ledger.commitPayment(c))).toEqual(c.payment);
      expect(await p.a.ledger.tradeByNo(w.trade.tradeNo)).toMatchObject({ status: 'TRADE_SUCCESS', paidAt: 8_000 });
      expect(await p.a.ledger.payment(w.trade.tradeNo)).toEqual(c.payment);
      expect(await p.a.bands.card(w.card.cardRef)).toMatchObject({ lastCounter: 5 });
      expect(await p.a.challenges.byId(c.challengeId as string)).toMatchObject({ answeredAt: 8_000, outcome: 0 });
      expect(await p.a.ledger.notificationsOf(w.trade.tradeNo)).toEqual([c.notification]);
      const before = await p.a.ledger.counts();
      expect(await p.b.ledger.commitPayment({ ...c, payment: { ...c.payment, id: uid('pay') } })).toMatchObject({
        ok: false,
        status: Status.REPLAYED,
      });
      expect(await p.a.ledger.counts()).toEqual(before);
    });

    it('two payments of one trade racing on two connections: exactly one is taken', async () => {
      const w = await world(p.a);
      const attempts = await Promise.all([1, 2, 3, 4].map((i) => bandPayment(p.a, w, { counter: i })));
      const results = await raced(p, 4, (s, i) => s.ledger.commitPayment(attempts[i]));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect((await p.a.ledger.counts()).payments).toBe(1);
      expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.status)).toEqual(Array(3).fill(Status.TRADE_CLOSED));
    });

    it('each refusal of a payment names its reason and writes nothing', async () => {
      const w = await world(p.a);
      expectOk(await p.a.ledger.commitPayment(await bandPayment(p.a, w, { counter: 7 })));
      const t2 = trade(w.merchant.id, w.till.id);
      expectOk(await p.a.ledger.createTrade(t2, { maxOpen: 100, openSince: 0 }));
      const t3 = trade(w.merchant.id, w.till.id);
      expectOk(await p.a.ledger.createTrade(t3, { maxOpen: 100, openSince: 0 }));
      const before = await p.a.ledger.counts();
      const stale = await bandPayment(p.a, w, { trade: t2, counter: 7 });
      expect(await p.b.ledger.commitPayment(stale)).toMatchObject({ ok: false, status: Status.COUNTER_NOT_INCREASING });
      expect(await p.a.challenges.byId(stale.challengeId as string)).toMatchObject({ answeredAt: null });
      const over = await bandPayment(p.a, w, { trade: t2, counter: 8 });
      over.dayLimit = { perDay: 1_500, confirmed: false, amount: 1_000, currency: 'CNY' };
      expect(await p.b.ledger.commitPayment(over)).toMatchObject({ ok: false, status: Status.LIMIT_EXCEEDED });
      await p.a.merchants.unpairTerminal(w.till.id, w.merchant.id, 1);
      expect(await p.b.ledger.commitPayment(await bandPayment(p.a, w, { trade: t3, counter: 9 }))).toMatchObject({
        status: Status.TERMINAL_UNPAIRED,
      });
      expect(await p.a.ledger.counts()).toEqual(before);
      expect(await p.a.ledger.tradeByNo(t2.tradeNo)).toMatchObject({ status: 'WAIT_BUYER_PAY' });
      await p.a.bands.revoke(w.band.deviceId, 2);
      const revoked = await bandPayment(p.a, w, { trade: t2, counter: 10 });
      revoked.terminalIds = [];
      expect(await p.b.ledger.commitPayment(revoked)).toMatchObject({ status: Status.REVOKED });
    });

    it('the day limit holds when payments of one payer race', async () => {
      const w = await world(p.a);
      const trades = Array.from({ length: 6 }, () => trade(w.merchant.id, w.till.id, { amount: 1_000 }));
      for (const t of trades) expectOk(await p.a.ledger.createTrade(t, { maxOpen: 100, openSince: 0 }));
      const commits: PaymentCommit[] = [];
      for (const [i, t] of trades.entries()) {
        const c = await bandPayment(p.a, w, { trade: t, counter: 100 + i });
        c.counter = undefined; // the counter is another race; this one is the day total's
        c.dayLimit = { perDay: 3_000, confirmed: false, amount: 1_000, currency: 'CNY' };
        commits.push(c);
      }
      const results = await raced(p, commits.length, (s, i) => s.ledger.commitPayment(commits[i]));
      expect(results.filter((r) => r.ok)).toHaveLength(3);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.status === Status.LIMIT_EXCEEDED)).toBe(true);
    });

    it('refunds: idempotent by number even when the same number races; never above what was paid', async () => {
      const w = await world(p.a);
      expect(await p.a.ledger.commitRefund({ refund: refund(w.trade.tradeNo, 'r0', 100) })).toMatchObject({
        status: Status.TRADE_NOT_PAID,
      });
      expectOk(await p.a.ledger.commitPayment(await bandPayment(p.a, w)));
      const same = await raced(p, 4, (s) => s.ledger.commitRefund({ refund: refund(w.trade.tradeNo, 'r1', 300) }));
      expect(same.every((r) => r.ok)).toBe(true);
      expect(same.filter((r) => r.ok && r.value.created)).toHaveLength(1);
      expect(await p.b.ledger.commitRefund({ refund: refund(w.trade.tradeNo, 'r1', 301) })).toMatchObject({
        status: Status.CONFLICT,
      });
      const many = await raced(p, 6, (s, i) =>
        s.ledger.commitRefund({ refund: refund(w.trade.tradeNo, `m${i}`, 200) }),
      );
      expect(many.filter((r) => r.ok)).toHaveLength(3); // 300 + 3 × 200 = 900 ≤ 1,000 < 1,100
      expect(many.filter((r) => !r.ok).every((r) => !r.ok && r.status === Status.REFUND_EXCEEDS_PAID)).toBe(true);
      expect(await p.a.ledger.tradeByNo(w.trade.tradeNo)).toMatchObject({
        refundedAmount: 900,
        status: 'TRADE_SUCCESS',
      });
      expect(await p.a.ledger.refunds(w.trade.tradeNo)).toHaveLength(4);
    });

    it('due notifications are claimed by one process each, and due again once the lease ends', async () => {
      const w = await world(p.a);
      expectOk(await p.a.ledger.commitPayment(await bandPayment(p.a, w)));
      const extra = Array.from({ length: 19 }, () => notification(w.trade.tradeNo, { nextAt: 10 }));
      for (const n of extra) {
        const t = trade(w.merchant.id, w.till.id);
        expectOk(await p.a.ledger.createTrade(t, { maxOpen: 100, openSince: 0 }));
        const c = await bandPayment(p.a, w, { trade: t, counter: 1000 + extra.indexOf(n) });
        c.notification = { ...n, tradeNo: t.tradeNo };
        c.dayLimit = undefined;
        expectOk(await p.a.ledger.commitPayment(c));
      }
      const claims = await raced(p, 4, (s) => s.ledger.claimDueNotifications(10_000, 50, 1_000));
      const ids = claims.flat().map((n) => n.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
      expect(await p.a.ledger.claimDueNotifications(10_500, 50, 1_000)).toEqual([]);
      const first = claims.flat()[0];
      await p.b.ledger.recordNotifyAttempt(first.id, true, 10_600, first.nextAt, null);
      expect(await p.a.ledger.claimDueNotifications(11_001, 50, 1_000)).toHaveLength(19);
    });

    it('password attempts: a race of guesses reserves no more than the limit', async () => {
      const policy = { limit: 5, lockMs: 60_000, maxLockMs: 600_000, forgetMs: 0 };
      const results = await raced(p, 20, (s) => s.attempts.reserve('login', 'acc_x', policy, 100));
      expect(results.filter((r) => r.granted)).toHaveLength(5);
      expect(await p.a.attempts.counter('login', 'acc_x')).toMatchObject({ failures: 5, attempts: 5 });
    });

    it('a rate limit shared by two processes counts both', async () => {
      const rule = { points: 5, windowMs: 60_000 };
      const la = p.a.rateLimiter('contract', rule);
      const lb = p.b.rateLimiter('contract', rule);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? la : lb).consume('client-1')));
      expect(results.filter((r) => r.allowed)).toHaveLength(5);
    });

    it('key ring: one first key however many start at once; one rotation at a time; retiring erases', async () => {
      const k = (n: number) => new Uint8Array(32).fill(n);
      await Promise.all([p.a.keyRing.createFirst(k(1), k(2), 1), p.b.keyRing.createFirst(k(3), k(4), 1)]);
      expect(await p.a.keyRing.list()).toHaveLength(1);
      const rotations = await Promise.all([p.a.keyRing.rotate(k(5), k(6), 2), p.b.keyRing.rotate(k(7), k(8), 2)]);
      expect(rotations.filter((r) => r.ok)).toHaveLength(1);
      expect(await p.b.keyRing.retirePrevious(3)).toMatchObject({
        ok: true,
        value: { id: 1, state: 'retired', signing: null, hpke: null },
      });
      expect(await p.a.keyRing.retirePrevious(3)).toMatchObject({ ok: false, status: Status.NOT_FOUND });
    });

    it('turn-off code: guesses limited under a race; spending it revokes the bands, once', async () => {
      const w = await world(p.a);
      const hash = new Uint8Array(32).fill(7);
      await p.a.turnOff.setCode(w.owner.id, hash, 1);
      const guesses = await raced(p, 8, (s) => s.turnOff.takeAttempt(w.owner.id, 10, 3, 60_000));
      expect(guesses.filter((g) => g.allowed)).toHaveLength(3);
      const spent = await raced(p, 2, (s) => s.turnOff.useCode(w.owner.id, hash, 20));
      expect(spent.filter((x) => x !== undefined)).toEqual([[{ ...w.band, status: 'revoked', revokedAt: 20 }]]);
    });

    it('the sweep closes expired trades and deletes what expired, in bounded batches', async () => {
      const w = await world(p.a);
      const ch = challenge(w.band.deviceId, { expiresAt: 100 });
      expectOk(await p.a.challenges.create(ch, 10));
      const bounds = {
        tradesCreatedBy: 10_000,
        challengesExpiredBy: 1_000,
        attemptsQuietSince: 0,
        terminalFailuresBefore: 0,
        batch: 100,
      };
      const counts = await p.b.sweeps.sweep(2_000, bounds);
      expect(counts).toMatchObject({ trades: 1, challenges: 1 });
      expect(await p.a.ledger.tradeByNo(w.trade.tradeNo)).toMatchObject({ status: 'TRADE_CLOSED' });
    });

    it("reports: a merchant's sales, refunds and day totals", async () => {
      const w = await world(p.a);
      expectOk(await p.a.ledger.commitPayment(await bandPayment(p.a, w)));
      expectOk(await p.a.ledger.commitRefund({ refund: refund(w.trade.tradeNo, 'r1', 250) }));
      const range = { from: 0, to: 100_000 };
      expect(await p.b.reports.sales(w.merchant.id, { ...range, limit: 10 })).toMatchObject([
        { tradeNo: w.trade.tradeNo, method: 'band', terminalName: 'till 1' },
      ]);
      expect(await p.b.reports.refunds(w.merchant.id, { ...range, limit: 10 })).toMatchObject([
        { amount: 250, outTradeNo: w.trade.outTradeNo },
      ]);
      expect(await p.b.reports.dayTotals(w.merchant.id, range, 0)).toEqual([
        { day: 0, currency: 'CNY', sales: 1_000, count: 1, refunds: 250 },
      ]);
    });

    it('audit: every payment with its trade, paid totals, and no paid trade without its payment', async () => {
      const w = await world(p.a);
      const c = await bandPayment(p.a, w, { counter: 3 });
      expectOk(await p.a.ledger.commitPayment(c));
      expect(await p.b.audit.payments()).toEqual([
        {
          tradeNo: w.trade.tradeNo,
          outTradeNo: w.trade.outTradeNo,
          amount: 1_000,
          tradeAmount: 1_000,
          tradeStatus: 'TRADE_SUCCESS',
          accountId: w.owner.id,
          deviceId: w.band.deviceId,
          cardRef: w.card.cardRef,
          counter: 3,
          challengeId: c.challengeId,
          createdAt: 8_000,
        },
      ]);
      expect(await p.b.audit.paidTradesTotal()).toBe(1_000);
      expect(await p.b.audit.paidTradesWithoutPayment()).toBe(0);
    });

    it('meta is set once, whoever races; health reads the schema version', async () => {
      const [x, y] = await Promise.all([
        p.a.setMetaOnce('k', new Uint8Array([1])),
        p.b.setMetaOnce('k', new Uint8Array([2])),
      ]);
      expect(x).toEqual(y);
      expect(await p.b.getMeta('k')).toEqual(x);
      const h = await p.a.health();
      expect(h.schemaVersion).toBe(h.expectedSchemaVersion);
      expect(typeof p.a.clock()).toBe('number');
    });
  });
}

function refund(tradeNo: string, outRequestNo: string, amount: number) {
  return { id: uid('rfd'), tradeNo, outRequestNo, amount, reason: '', createdAt: 9_000 };
}
