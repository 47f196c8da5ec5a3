/**
 * End-to-end trade rules over real parts (simulated band in QuickJS, noble websocket
 * bridge, checkout over HTTP + SQLite): idempotent retries, refunds, another merchant's
 * terminal, expired challenges, and the day limit across payments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoWorld, type DemoWorld } from '../../cli/demo/environment.ts';
import {
  addCard,
  charge,
  enrollBand,
  pairTerminal,
  readHello,
  terminalClient,
  unlockBand,
} from '../../bridge/flows/index.ts';
import { CheckoutClient, CheckoutHttpError } from '../../checkout/api/client.ts';
import { Status } from '../../shared/status/codes.ts';

const OWNER = { username: 'bob', password: 'a long owner password', paymentPassword: '112233' };
let world: DemoWorld;
let skewMs = 0;
let shopA: CheckoutClient;
let shopB: CheckoutClient;
let order = 0;
const nextOrder = () => `e2e-${++order}`;

async function terminalFor(anon: CheckoutClient, name: string): Promise<CheckoutClient> {
  await anon.register({ username: name, password: 'merchant password 1', kind: 'merchant', displayName: name });
  const m = await anon.loginAs(name, 'merchant password 1');
  const id = await pairTerminal(world.checkoutUrl, (await m.createPairingCode()).code);
  if (!id.ok) throw new Error(id.message);
  return terminalClient(id.value);
}

async function refusedWith(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CheckoutHttpError) return e.status;
    throw e;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  world = await startDemoWorld({ checkout: { clock: () => Date.now() + skewMs } });
  const anon = new CheckoutClient(world.checkoutUrl);
  await anon.register(OWNER);
  const owner = await anon.loginAs(OWNER.username, OWNER.password);
  const band = await enrollBand(owner, world.session);
  if (!band.ok) throw new Error(band.message);
  const card = await addCard(owner, world.session, band.value.deviceId, { issuerId: 'cmb' });
  if (!card.ok) throw new Error(card.message);
  world.sim.band(1).setWorn(true);
  await new Promise((r) => setTimeout(r, 100));
  const unlocked = await unlockBand(anon, world.session, OWNER.username, OWNER.password);
  if (!unlocked.ok) throw new Error(unlocked.message);
  shopA = await terminalFor(anon, 'shop-a');
  shopB = await terminalFor(anon, 'shop-b');
}, 120_000);

afterAll(async () => {
  await world?.close();
});

describe('e2e: trades', () => {
  it('the same pay request twice charges once; a re-posted answer is REPLAYED', async () => {
    const outTradeNo = nextOrder();
    await shopA.createTrade({ outTradeNo, amount: 15_00, currency: 'CNY', subject: 'tea' });
    const hello = await readHello(world.session);
    if (!hello.ok) throw new Error(hello.message);
    const challenge = await shopA.payWithBand(outTradeNo, hello.value.bytes);
    const answer = await world.session.expect(challenge.message, 'answer');
    const first = await shopA.answer(challenge.challengeId, answer.bytes);
    expect(first.receipt?.amount).toBe(15_00);
    expect(await refusedWith(shopA.answer(challenge.challengeId, answer.bytes))).toBe(Status.REPLAYED);
    // The merchant retries the whole charge with the same order number: not charged again,
    // and told it is paid (the original receipt, marked alreadyPaid).
    const again = await charge(
      shopA,
      world.session,
      { amount: 15_00, currency: 'CNY', orderId: outTradeNo, subject: 'tea' },
      { merchantName: 'shop-a' },
    );
    expect(again).toMatchObject({
      ok: true,
      alreadyPaid: true,
      receipt: {
        outTradeNo,
        tradeNo: first.receipt?.tradeNo,
        amount: 15_00,
        method: 'band',
        paidAt: first.receipt?.paidAt,
      },
    });
    const q = await shopA.queryTrade(outTradeNo);
    expect(q.trade.status).toBe('TRADE_SUCCESS');
    expect(q.payment?.amount).toBe(15_00);
  });

  it('refunds partially, never more than paid, idempotent by refund number', async () => {
    const outTradeNo = nextOrder();
    const paid = await charge(shopA, world.session, { amount: 40_00, currency: 'CNY', orderId: outTradeNo });
    expect(paid.ok).toBe(true);
    const r1 = await shopA.refund(outTradeNo, { outRequestNo: 'r1', amount: 10_00 });
    expect(r1.trade.refundedAmount).toBe(10_00);
    const r1again = await shopA.refund(outTradeNo, { outRequestNo: 'r1', amount: 10_00 });
    expect(r1again.created).toBe(false);
    expect(r1again.trade.refundedAmount).toBe(10_00);
    expect(await refusedWith(shopA.refund(outTradeNo, { outRequestNo: 'r2', amount: 30_01 }))).toBe(
      Status.REFUND_EXCEEDS_PAID,
    );
    const r3 = await shopA.refund(outTradeNo, { outRequestNo: 'r3', amount: 30_00 });
    expect(r3.trade.refundedAmount).toBe(40_00);
  });

  it("another merchant's terminal cannot see or refund the trade", async () => {
    const outTradeNo = nextOrder();
    expect((await charge(shopA, world.session, { amount: 5_00, currency: 'CNY', orderId: outTradeNo })).ok).toBe(true);
    expect([Status.NOT_FOUND, Status.FORBIDDEN]).toContain(await refusedWith(shopB.queryTrade(outTradeNo)));
    expect([Status.NOT_FOUND, Status.FORBIDDEN]).toContain(
      await refusedWith(shopB.refund(outTradeNo, { outRequestNo: 'x', amount: 1_00 })),
    );
    // Shop B may use the same order number for its own trade.
    expect((await charge(shopB, world.session, { amount: 7_00, currency: 'CNY', orderId: outTradeNo })).ok).toBe(true);
  });

  it('refuses an answer that arrives after the challenge expired, and charges nothing', async () => {
    const outTradeNo = nextOrder();
    await shopA.createTrade({ outTradeNo, amount: 9_00, currency: 'CNY', subject: 'late' });
    const hello = await readHello(world.session);
    if (!hello.ok) throw new Error(hello.message);
    const challenge = await shopA.payWithBand(outTradeNo, hello.value.bytes);
    const answer = await world.session.expect(challenge.message, 'answer');
    skewMs = 61_000;
    try {
      expect(await refusedWith(shopA.answer(challenge.challengeId, answer.bytes))).toBe(Status.EXPIRED);
    } finally {
      skewMs = 0;
    }
    expect((await shopA.queryTrade(outTradeNo)).payment).toBeNull();
  });

  it('the day limit counts across payments: the third needs the button', async () => {
    const confirmed: boolean[] = [];
    for (const amount of [190_00, 190_00, 190_00]) {
      let pressed = false;
      const r = await charge(
        shopA,
        world.session,
        { amount, currency: 'CNY', orderId: nextOrder() },
        {
          onKeepalive: () => {
            if (!pressed) {
              pressed = true;
              world.sim.band(1).press();
            }
          },
        },
      );
      if (!r.ok) throw new Error(JSON.stringify(r));
      confirmed.push(r.receipt.evidence?.confirmed ?? false);
    }
    // Earlier tests in this file spent 15 + 40 + 5 + 7 = 67.00 of the 500.00 day limit.
    expect(confirmed).toEqual([false, false, true]);
  });
});
