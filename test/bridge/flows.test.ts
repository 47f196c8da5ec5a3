/**
 * The bridge's flows end to end: the real firmware (in-process) ↔ relay session ↔ the real
 * checkout over HTTP. One band's life in order: enroll, cards, unlock, pay under and above
 * the limit (button on keepalive), locked → password fallback, revoke → declined + wipe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../shared/status/codes.ts';
import {
  addCard,
  charge,
  enrollBand,
  listCards,
  payWithPassword,
  refund,
  removeCard,
  revoke,
  status,
  unlockBand,
} from '../../bridge/flows/index.ts';
import type { KeepaliveMessage } from '../../shared/messages/clear.ts';
import { PASSWORD, PAY_PASSWORD, type World, startWorld, unique } from './helpers/world.ts';

let w: World;
let deviceId = '';

beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w?.close();
});

function order(): string {
  return unique('ord-');
}

describe('an owner sets a band up over the bridge', () => {
  it('enrolls the band with the checkout', async () => {
    const session = await w.session();
    expect((await session.readInfo()).enrolled).toBe(false);
    const r = await enrollBand(w.owner, session, { name: 'my band' });
    if (!r.ok) throw new Error(r.message);
    deviceId = r.value.deviceId;
    expect(r.value.status).toBe('active');
    expect(w.band.booted.status().deviceId).toBe(deviceId);
    expect((await session.readInfo()).enrolled).toBe(true);
  });

  it('enrolling again is refused by the band (ALREADY_ENROLLED), nothing changes', async () => {
    const r = await enrollBand(w.owner, await w.session());
    expect(r.ok).toBe(false);
    if (!r.ok) expect([r.name, r.stage]).toEqual(['ALREADY_ENROLLED', 'band']);
  });

  it('adds a bank card and a transit card, and removes the transit card', async () => {
    const session = await w.session();
    const bank = await addCard(w.owner, session, undefined, { issuerId: 'icbc' });
    if (!bank.ok) throw new Error(bank.message);
    expect(bank.value).toMatchObject({ kind: 'bank', issuer: 'ICBC', state: 'active' });
    const transit = await addCard(w.owner, session, deviceId, { cityId: 'shanghai' });
    if (!transit.ok) throw new Error(transit.message);
    expect(w.band.booted.status().cards.map((c) => c.kind)).toEqual(['bank', 'transit']);
    const removed = await removeCard(w.owner, session, deviceId, transit.value.cardRef);
    expect(removed.ok).toBe(true);
    expect(w.band.booted.status().cards.map((c) => c.kind)).toEqual(['bank']);
    const listed = await listCards(w.owner);
    if (!listed.ok) throw new Error(listed.message);
    expect(listed.value[0].cards.map((c) => c.issuer)).toEqual(['ICBC']);
  });

  it('a wrong password does not unlock; the right one does', async () => {
    w.band.putOn();
    const session = await w.session();
    const wrong = await unlockBand(w.h.client, session, w.username, 'not the password');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.name).toBe('UNAUTHORIZED');
    expect(w.band.booted.status().state).toBe('worn-locked');
    const r = await unlockBand(w.h.client, session, w.username, PASSWORD);
    if (!r.ok) throw new Error(r.message);
    expect(r.value).toEqual({ unlocked: true, resultShown: true });
    expect(w.band.booted.status().state).toBe('worn-unlocked');
    // Asking again while unlocked succeeds without a grant, but only with the right password.
    const again = await unlockBand(w.h.client, session, w.username, PASSWORD);
    if (!again.ok) throw new Error(again.message);
    expect(again.value).toEqual({ unlocked: true, resultShown: false, alreadyUnlocked: true });
    const wrongAgain = await unlockBand(w.h.client, session, w.username, 'not the password');
    expect(wrongAgain.ok).toBe(false);
  });
});

describe('a merchant charges over the bridge', () => {
  it('under the limit: paid without a button press; the checkout verified the token', async () => {
    const orderId = order();
    const steps: string[] = [];
    const r = await charge(
      w.terminal,
      await w.session(),
      { amount: 1234, currency: 'CNY', orderId, subject: 'tea' },
      { onStep: (s) => steps.push(s) },
    );
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.receipt).toMatchObject({
      outTradeNo: orderId,
      amount: 1234,
      currency: 'CNY',
      status: 'TRADE_SUCCESS',
      method: 'band',
      merchantName: 'Tea House',
      card: { issuer: 'ICBC' },
    });
    expect(steps).toEqual(['trade', 'hello', 'challenge', 'band', 'answer']);
    expect(r.resultShown).toBe(true);
    // The token verified at the checkout: the payment is recorded against the band with the card's counter.
    const q = await w.terminal.queryTrade(orderId);
    expect(q.trade.status).toBe('TRADE_SUCCESS');
    expect(q.payment).toMatchObject({ method: 'band', deviceId, amount: 1234 });
    expect(w.band.booted.status().signatures).toBe(1);
    expect(w.band.booted.status().cards[0].counter).toBe(1);
    expect(w.band.env.display.text()).toContain('Approved');
  });

  it('above the limit: the band asks for its button (KEEPALIVE), the press completes the payment', async () => {
    const keepalives: KeepaliveMessage[] = [];
    const r = await charge(
      w.terminal,
      await w.session(),
      { amount: 250_00, currency: 'CNY', orderId: order() },
      {
        onKeepalive: (k) => {
          keepalives.push(k);
          if (keepalives.length === 1) w.band.env.button.press();
        },
      },
    );
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(keepalives[0].status).toBe(Status.CONFIRMATION_REQUIRED);
    expect(keepalives[0].remainingMs).toBeGreaterThan(0);
    expect(r.receipt.amount).toBe(250_00);
    expect(w.band.booted.status().cards[0].counter).toBe(2);
  });

  it('refunds part of a payment, then the rest', async () => {
    const orderId = order();
    const paid = await charge(w.terminal, await w.session(), { amount: 1000, currency: 'CNY', orderId });
    expect(paid.ok).toBe(true);
    const part = await refund(w.terminal, orderId, { amount: 300, reason: 'cold tea' });
    if (!part.ok) throw new Error(part.message);
    expect(part.value).toMatchObject({ amount: 300, refundedAmount: 300, tradeStatus: 'TRADE_SUCCESS', created: true });
    const rest = await refund(w.terminal, orderId);
    if (!rest.ok) throw new Error(rest.message);
    expect(rest.value).toMatchObject({ amount: 700, refundedAmount: 1000, tradeStatus: 'TRADE_CLOSED' });
    const more = await refund(w.terminal, orderId);
    expect(more.ok).toBe(false);
    if (!more.ok) expect(more.name).toBe('REFUND_EXCEEDS_PAID');
  });

  it('a band taken off and put back on is locked: password-needed, and the password pays', async () => {
    w.band.takeOff();
    w.band.putOn();
    const orderId = order();
    const r = await charge(w.terminal, await w.session(), { amount: 800, currency: 'CNY', orderId });
    expect(r).toMatchObject({ ok: false, outcome: 'password-needed', outTradeNo: orderId, reason: { name: 'LOCKED' } });
    const wrong = await payWithPassword(w.terminal, orderId, w.username, '000000');
    expect(wrong.ok).toBe(false);
    const paid = await payWithPassword(w.terminal, orderId, w.username, PAY_PASSWORD);
    if (!paid.ok) throw new Error(paid.message);
    expect(paid.value).toMatchObject({ outTradeNo: orderId, method: 'password', status: 'TRADE_SUCCESS' });
  });

  it('no band nearby: password-needed (PASSWORD_REQUIRED), the trade stays open', async () => {
    const orderId = order();
    const r = await charge(w.terminal, null, { amount: 500, currency: 'CNY', orderId });
    expect(r).toMatchObject({ ok: false, outcome: 'password-needed', reason: { name: 'PASSWORD_REQUIRED' } });
    expect((await w.terminal.queryTrade(orderId)).trade.status).toBe('WAIT_BUYER_PAY');
  });

  it("status: the band's info and, through the terminal, its wear state", async () => {
    const r = await status(await w.session(), { terminal: w.terminal, owner: w.owner });
    if (!r.ok) throw new Error(r.message);
    expect(r.value.band).toMatchObject({ mtu: 185, enrolled: true, wearState: 'worn-locked' });
    expect(r.value.bands?.[0].deviceId).toBe(deviceId);
  });
});

describe('a lost band', () => {
  it('revoked: the next charge is declined REVOKED and the queued wipe reaches the band', async () => {
    const unlocked = await unlockBand(w.h.client, await w.session(), w.username, PASSWORD);
    expect(unlocked.ok).toBe(true);
    const revoked = await revoke(w.owner);
    if (!revoked.ok) throw new Error(revoked.message);
    expect(revoked.value.status).toBe('revoked');
    const r = await charge(w.terminal, await w.session(), { amount: 100, currency: 'CNY', orderId: order() });
    expect(r).toMatchObject({
      ok: false,
      outcome: 'declined',
      refusal: { name: 'REVOKED', stage: 'checkout', wipe: { delivered: true } },
    });
    const after = w.band.booted.status();
    expect(after.enrolled).toBe(false);
    expect(after.cards).toEqual([]);
    expect((await w.owner.band(deviceId)).status).toBe('wiped');
    expect(w.band.env.display.text()).toContain('Wiped');
  });

  it('a wiped band cannot say hello any more: declined NOT_ENROLLED from the band', async () => {
    const r = await charge(w.terminal, await w.session(), { amount: 100, currency: 'CNY', orderId: order() });
    expect(r).toMatchObject({ ok: false, outcome: 'declined', refusal: { name: 'NOT_ENROLLED', stage: 'band' } });
  });
});
