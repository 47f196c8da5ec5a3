/**
 * Several processes, one ledger (issue 13): two `wristpay checkout start --db postgres://…`
 * processes serve the same merchants at once, and whatever must hold is decided in the
 * database, not in one process's memory. Each case sends the racing requests to both at
 * once, then reads the ledger back through the store (PgStore) and holds it to the ledger
 * invariants (test/hardening/helpers/ledger-check.ts, on PostgreSQL):
 *
 * - one band paying through both at once: each trade paid at most once, no card counter
 *   used twice, the card's counter that of its last payment; a refused answer changes nothing;
 * - one owner's day limit, spent by two bands through both at once, is never passed;
 * - a trade created on one is paid and refunded on the other; one refund number sent to both
 *   at once is one refund, both told the same; two refunds that together exceed the payment
 *   never both pass;
 * - a revoke on one while the band's payment is answered on the other: paid before the
 *   revoke, or refused REVOKED, and nothing is paid after it;
 * - merchant notifications, with both processes running notifiers: each POSTed exactly once
 *   to a real HTTP receiver (the lease of claimDueNotifications).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CheckoutClient, CheckoutHttpError } from '../../checkout/api/client.ts';
import type { BandDouble } from '../checkout/helpers/band-double.ts';
import {
  addCard,
  enrollBand,
  merchantWithTerminal,
  ownerWithBand,
  unique,
  unlock,
} from '../checkout/helpers/fixtures.ts';
import { needs, requirements } from '../support/requirements.ts';
import { pgLedgerProblems } from './helpers/pg-ledger.ts';
import { useTwoCheckouts } from './helpers/two-checkouts.ts';

/** The refusal's status name, or OK. */
const settle = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'OK',
    (e) => (e instanceof CheckoutHttpError ? e.statusName : `THREW ${String(e)}`),
  );

/** A merchant's notification endpoint: counts each POST by notifyId, answering a little slowly. */
const posts = new Map<string, number>();
let receiver: Server;
let receiverPort = 0;
function receive(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (c: Buffer) => {
    body += c.toString('utf8');
  });
  req.on('end', () => {
    const id = (JSON.parse(body) as { notifyId: string }).notifyId;
    posts.set(id, (posts.get(id) ?? 0) + 1);
    // Slow enough that both processes' notifiers poll while a delivery is under way.
    setTimeout(() => res.writeHead(200).end('success'), 150);
  });
}

needs(requirements.postgres).describe('two checkout processes, one PostgreSQL ledger', () => {
  beforeAll(async () => {
    receiver = createServer(receive);
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverPort = (receiver.address() as AddressInfo).port;
  });
  const two = useTwoCheckouts(() => ({ args: ['--notify-allow', `127.0.0.1:${receiverPort}`] }));
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
  });

  const trade = (client: CheckoutClient, amount: number, extra: Record<string, string> = {}) =>
    client.createTrade({ outTradeNo: unique('two-'), amount, currency: 'CNY', subject: 'two', ...extra });

  it('one band paying through both at once: each trade paid once, no counter used twice', async () => {
    const { a, b, setup, store } = two;
    const shop = await merchantWithTerminal(setup.harness, 'Same Band');
    const [onA, onB] = [two.till(a, shop), two.till(b, shop)];
    const owner = await ownerWithBand(setup.harness);
    const outcomes: string[] = [];
    for (let round = 0; round < 8; round++) {
      // Two trades, one made on each; each challenge asked on one and answered on the other.
      const [t1, t2] = await Promise.all([trade(onA, 1_00), trade(onB, 2_00)]);
      const [c1, c2] = await Promise.all([
        onA.payWithBand(t1.outTradeNo, owner.band.hello()),
        onB.payWithBand(t2.outTradeNo, owner.band.hello()),
      ]);
      const x1 = owner.band.pay(owner.band.open(c1.message), { confirmed: true });
      const x2 = owner.band.pay(owner.band.open(c2.message), { confirmed: true });
      outcomes.push(
        ...(await Promise.all([settle(onB.answer(c1.challengeId, x1)), settle(onA.answer(c2.challengeId, x2))])),
      );
      // One trade, a challenge from each process, both answered at once: one payment.
      const t3 = await trade(onA, 3_00);
      const [d1, d2] = await Promise.all([
        onA.payWithBand(t3.outTradeNo, owner.band.hello()),
        onB.payWithBand(t3.outTradeNo, owner.band.hello()),
      ]);
      const y1 = owner.band.pay(owner.band.open(d1.message), { confirmed: true });
      const y2 = owner.band.pay(owner.band.open(d2.message), { confirmed: true });
      const same = await Promise.all([settle(onA.answer(d1.challengeId, y1)), settle(onB.answer(d2.challengeId, y2))]);
      expect(
        same.filter((o) => o === 'OK'),
        `round ${round}: ${same}`,
      ).toHaveLength(1);
      expect(['TRADE_CLOSED', 'COUNTER_NOT_INCREASING']).toContain(same.find((o) => o !== 'OK'));
      for (const t of [t1, t2, t3]) {
        const row = await store.ledger.tradeByNo(t.tradeNo);
        expect(row?.status === 'TRADE_SUCCESS').toBe((await store.ledger.payment(t.tradeNo)) !== undefined);
      }
    }
    // The lower counter may lose to the higher one committed first, never anything else.
    for (const o of outcomes) expect(['OK', 'COUNTER_NOT_INCREASING']).toContain(o);
    const paid = await store.ledger.paymentsOf(owner.account.id);
    const counters = paid.map((p) => p.counter as number);
    expect(new Set(counters).size).toBe(counters.length);
    expect((await store.bands.card(owner.cardRef))?.lastCounter).toBe(Math.max(...counters));
    expect(paid.length).toBe(outcomes.filter((o) => o === 'OK').length + 8);
    expect(await pgLedgerProblems(two.db)).toEqual([]);
  });

  it("one owner's day limit, spent by two bands through both at once, is never passed", async () => {
    const { a, b, setup, store } = two;
    const shop = await merchantWithTerminal(setup.harness, 'Day Limit');
    const [onA, onB] = [two.till(a, shop), two.till(b, shop)];
    const owner = await ownerWithBand(setup.harness);
    // A second band of the same owner, with its own card: the limit is the owner's, not a band's.
    const { band: other, deviceId } = await enrollBand(setup.harness, owner);
    await addCard(owner, other, deviceId, { issuerId: 'icbc' });
    await unlock(setup.harness, owner, other);
    const limitPerDay = (await store.accounts.byId(owner.account.id))?.limitPerDay;
    expect(limitPerDay).toBe(500_00);
    const pay = async (client: CheckoutClient, band: BandDouble, amount: number) => {
      const t = await trade(client, amount);
      const ch = await client.payWithBand(t.outTradeNo, band.hello());
      return settle(client.answer(ch.challengeId, band.pay(band.open(ch.message))));
    };
    expect(await pay(onA, owner.band, 200_00)).toBe('OK');
    expect(await pay(onB, other, 200_00)).toBe('OK');
    // 100.00 left today: 100.00 from each band at once, one through each process.
    for (let round = 0; round < 3; round++) {
      const both = await Promise.all([pay(onA, owner.band, 100_00), pay(onB, other, 100_00)]);
      expect(both.sort()).toEqual(round === 0 ? ['LIMIT_EXCEEDED', 'OK'] : ['LIMIT_EXCEEDED', 'LIMIT_EXCEEDED']);
    }
    const spent = (await store.ledger.paymentsOf(owner.account.id)).reduce((s, p) => s + p.amount, 0);
    expect(spent).toBe(500_00);
    expect(await pgLedgerProblems(two.db)).toEqual([]);
  });

  it('a trade made on one is paid and refunded on the other; one refund number sent to both is one refund', async () => {
    const { a, b, setup, store } = two;
    const shop = await merchantWithTerminal(setup.harness, 'Refunds');
    const [onA, onB] = [two.till(a, shop), two.till(b, shop)];
    const owner = await ownerWithBand(setup.harness);
    for (let i = 0; i < 6; i++) {
      // The same order sent to both at once: one trade.
      const outTradeNo = unique('refund-');
      const req = { outTradeNo, amount: 10_00, currency: 'CNY', subject: 'refund' };
      const [ta, tb] = await Promise.all([onA.createTrade(req), onB.createTrade(req)]);
      expect(tb.tradeNo).toBe(ta.tradeNo);
      // Challenge on B, answer on A.
      const ch = await onB.payWithBand(outTradeNo, owner.band.hello());
      await onA.answer(ch.challengeId, owner.band.pay(owner.band.open(ch.message)));
      expect((await onB.queryTrade(outTradeNo)).trade.status).toBe('TRADE_SUCCESS');
      // One refund number to both at once: one refund, both told the same one.
      const refund = { outRequestNo: `r-${i}`, amount: 4_00 };
      const [ra, rb] = await Promise.all([onA.refund(outTradeNo, refund), onB.refund(outTradeNo, refund)]);
      expect(rb.refund.refundId).toBe(ra.refund.refundId);
      expect([ra.created, rb.created].sort()).toEqual([false, true]);
      // Two more numbers of 4.00 each at once: 12.00 would exceed the 10.00 paid; one passes.
      const more = await Promise.all([
        settle(onA.refund(outTradeNo, { outRequestNo: `r-${i}-a`, amount: 4_00 })),
        settle(onB.refund(outTradeNo, { outRequestNo: `r-${i}-b`, amount: 4_00 })),
      ]);
      expect(more.sort()).toEqual(['OK', 'REFUND_EXCEEDS_PAID']);
      const refunds = await store.ledger.refunds(ta.tradeNo);
      expect(refunds.map((r) => r.amount)).toEqual([4_00, 4_00]);
      expect((await store.ledger.tradeByNo(ta.tradeNo))?.refundedAmount).toBe(8_00);
    }
    expect(await pgLedgerProblems(two.db)).toEqual([]);
  });

  it('a revoke on one while the payment is answered on the other: paid before it or refused, nothing after', async () => {
    const { a, b, setup, store } = two;
    const shop = await merchantWithTerminal(setup.harness, 'Revoke Race');
    const [onA, onB] = [two.till(a, shop), two.till(b, shop)];
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const owner = await ownerWithBand(setup.harness);
        const ownerOnB = new CheckoutClient(b.url).withToken(owner.token);
        const t = await trade(onA, 5_00);
        const ch = await onA.payWithBand(t.outTradeNo, owner.band.hello());
        const answer = owner.band.pay(owner.band.open(ch.message));
        // Half the time the revoke is sent first, half the time the answer.
        const [paid, revoked] =
          i % 2
            ? await Promise.all([
                settle(onA.answer(ch.challengeId, answer)),
                settle(ownerOnB.revokeBand(owner.deviceId)),
              ])
            : (
                await Promise.all([
                  settle(ownerOnB.revokeBand(owner.deviceId)),
                  settle(onA.answer(ch.challengeId, answer)),
                ])
              ).reverse();
        expect(revoked).toBe('OK');
        expect(['OK', 'REVOKED']).toContain(paid);
        expect((await store.bands.byId(owner.deviceId))?.status).toBe('revoked');
        const payment = await store.ledger.payment(t.tradeNo);
        expect(payment !== undefined).toBe(paid === 'OK');
        // After the revoke, nothing more is paid with the band, on either process.
        const next = await trade(onB, 5_00);
        expect(await settle(onB.payWithBand(next.outTradeNo, owner.band.hello()))).toBe('REVOKED');
        return paid;
      }),
    );
    expect(outcomes).toHaveLength(6);
    expect(await pgLedgerProblems(two.db)).toEqual([]);
  });

  it('merchant notifications: each POSTed exactly once, though both processes run notifiers', async () => {
    const { a, b, setup, store } = two;
    const shop = await merchantWithTerminal(setup.harness, 'Notified');
    const tills = [two.till(a, shop), two.till(b, shop)];
    const notifyUrl = `http://127.0.0.1:${receiverPort}/notify`;
    const owners = await Promise.all(Array.from({ length: 4 }, () => ownerWithBand(setup.harness)));
    const tradeNos: string[] = [];
    // Four bands paying ten times each, their requests spread over both processes.
    await Promise.all(
      owners.map(async (owner, lane) => {
        for (let n = 0; n < 10; n++) {
          const [x, y] = [tills[(lane + n) % 2], tills[(lane + n + 1) % 2]];
          const t = await trade(x, 1_00 + n, { notifyUrl });
          const ch = await y.payWithBand(t.outTradeNo, owner.band.hello());
          await x.answer(ch.challengeId, owner.band.pay(owner.band.open(ch.message), { confirmed: true }));
          tradeNos.push(t.tradeNo);
        }
      }),
    );
    const notifications = async () => (await Promise.all(tradeNos.map((t) => store.ledger.notificationsOf(t)))).flat();
    const deadline = Date.now() + 30_000;
    while ((await notifications()).some((n) => n.deliveredAt === null)) {
      expect(Date.now(), 'every notification delivered').toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Both notifiers poll every 500 ms: a few more rounds, in which nothing may be sent again.
    await new Promise((r) => setTimeout(r, 2_000));
    const rows = await notifications();
    expect(rows).toHaveLength(40);
    for (const n of rows) {
      expect(posts.get(n.id), n.id).toBe(1);
      expect(n.attempts, n.id).toBe(1);
    }
    expect(posts.size).toBe(40);
  });
});
