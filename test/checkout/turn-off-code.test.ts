/**
 * Issue 11 item 3, second half: the owner's one-time turn-off code. Shown once at enrolment,
 * stored as a hash; username + code turns the owner's bands off without the password
 * (API and /lost); single use; guesses are bounded per account however many arrive at once;
 * and a band turned off pays nothing: not a worn-and-unlocked payment, not an express fare
 * (no unlock needed), not an answer to a challenge issued before, not a password payment
 * drawn on its cards.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WearState } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import type { SqliteStore } from '../../checkout/sqlite/store.ts';
import { BandDouble } from './helpers/band-double.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  type OwnedBand,
  PASSWORD,
  PAY_PASSWORD,
  type Terminal,
  addCard,
  merchantWithTerminal,
  newOwner,
  newTrade,
  payWithBand,
  unlock,
} from './helpers/fixtures.ts';
import { type Harness, startHarness } from '../../harness/checkout-harness.ts';

const CODE = /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/;

interface WithCode extends OwnedBand {
  code: string;
}

/** Owner + band (ICBC card, Shanghai transit card) + unlocked, keeping the code the enrolment showed. */
async function ownerWithCode(h: Harness): Promise<WithCode> {
  const owner = await newOwner(h);
  const band = BandDouble.create(h.provider);
  const offer = await owner.client.startEnrollment();
  const enrolled = await owner.client.completeEnrollment(offer.enrollId, band.enroll(offer.enroll), 'test band');
  const card = await addCard(owner, band, enrolled.deviceId, { issuerId: 'icbc' });
  await addCard(owner, band, enrolled.deviceId, { cityId: 'shanghai', balance: 20_00 });
  await unlock(h, owner, band);
  return { ...owner, band, deviceId: enrolled.deviceId, cardRef: card.cardRef, code: enrolled.turnOffCode };
}

async function postLost(
  h: Harness,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${h.server.url}/lost`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams(fields).toString(),
    // What a browser sends from our own /lost page (the server refuses form posts without it).
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: h.server.url,
      'sec-fetch-site': 'same-origin',
      ...headers,
    },
  });
}

describe('the one-time turn-off code', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    h = await startHarness();
    shop = await merchantWithTerminal(h, 'Metro');
  });
  afterAll(() => h.close());

  it('is shown once at enrolment, 60 bits, and only its hash is stored', async () => {
    const o = await ownerWithCode(h);
    expect(o.code).toMatch(CODE);
    const raw = await fetch(`${h.server.url}/v1/bands/${o.deviceId}`, {
      headers: { authorization: `Bearer ${o.token}` },
    });
    expect(await raw.text()).not.toContain(o.code.slice(0, 4) + o.code.slice(5, 9));
    expect(JSON.stringify(await o.client.bands())).not.toContain('turnOffCode');
    const row = (h.checkout.store as SqliteStore).db
      .prepare('SELECT code_hash AS h FROM turnoff_codes WHERE account_id = ?')
      .get(o.account.id) as { h: Uint8Array };
    expect(row.h).toHaveLength(32);
    const plain = o.code.replace(/-/g, '');
    for (const file of [h.dbFile, `${h.dbFile}-wal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file).toString('latin1');
      expect(bytes.includes(plain) || bytes.includes(o.code)).toBe(false);
    }
  });

  it('turns the band off without the password, once; the owner can get a new one, which replaces the old', async () => {
    const o = await ownerWithCode(h);
    // Typed as people type: lower case, spaces.
    const bands = await h.client.turnOffWithCode(o.username, o.code.toLowerCase().replace(/-/g, ' '));
    expect(bands).toEqual([expect.objectContaining({ deviceId: o.deviceId, status: 'revoked' })]);
    await refusal(h.client.turnOffWithCode(o.username, o.code), 'UNAUTHORIZED', 401);
    const fresh = await o.client.newTurnOffCode();
    expect(fresh).toMatch(CODE);
    const again = await h.client.turnOffWithCode(o.username, fresh);
    expect(again[0].status).toBe('revoked');
    const third = await o.client.newTurnOffCode();
    await o.client.newTurnOffCode();
    await refusal(h.client.turnOffWithCode(o.username, third), 'UNAUTHORIZED', 401);
    await refusal(h.client.turnOffWithCode(o.username, 'not a code'), 'MALFORMED', 400);
    await refusal(h.client.turnOffWithCode('nobody-here', fresh), 'UNAUTHORIZED', 401);
  });

  it('40 parallel guesses evaluate at most 5; the right code then waits out the window (429 + Retry-After)', async () => {
    const o = await ownerWithCode(h);
    const other = await ownerWithCode(h);
    const wrong = (i: number) => `ABCD-EFGH-${String(2000 + i).replace(/[01]/g, '2')}`.slice(0, 14);
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fetch(`${h.server.url}/v1/bands/turn-off`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: o.username, code: wrong(i) }),
        }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    const limited = replies.find((r) => r.status === 429) as Response;
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(800);
    expect((await limited.json()).error.name).toBe('RATE_LIMITED');
    // Even the right code is not evaluated now, and the band stays as it was.
    await refusal(h.client.turnOffWithCode(o.username, o.code), 'RATE_LIMITED', 429);
    expect((await o.client.band(o.deviceId)).status).toBe('active');
    // Per account: the other owner is not slowed down.
    expect((await h.client.turnOffWithCode(other.username, other.code))[0].status).toBe('revoked');
    // After the window the right code works, and a success clears the count.
    h.clock.advance(15 * 60_000 + 1);
    expect((await h.client.turnOffWithCode(o.username, o.code))[0].status).toBe('revoked');
  });

  it('a thief wearing the band after the owner turned it off pays nothing: no express fare, no late answer, no payment', async () => {
    const o = await ownerWithCode(h);
    o.band.wearState = WearState.WORN_LOCKED;
    // Before: the band pays an express fare worn but locked (so the refusals below are the turn-off's doing).
    await payWithBand(shop, o.band, (await newTrade(shop, 3_00, { subject: 'Metro Line 2' })).outTradeNo, {
      express: true,
    });
    // A fare challenge issued before the turn-off and answered after it.
    const gate = await newTrade(shop, 3_00, { subject: 'Metro Line 9' });
    const c = await shop.client.payWithBand(gate.outTradeNo, o.band.hello(), true);
    const lateAnswer = o.band.pay(o.band.open(c.message), { express: true });

    const page = await postLost(
      h,
      { username: o.username, code: o.code },
      { origin: new URL(h.server.url).origin, 'sec-fetch-site': 'same-origin' },
    );
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Wrist payments are off');

    await refusal(shop.client.answer(c.challengeId, lateAnswer), 'REVOKED', 403);
    const fare = await newTrade(shop, 3_00, { subject: 'Metro Line 1' });
    const err = await refusal(shop.client.payWithBand(fare.outTradeNo, o.band.hello(), true), 'REVOKED', 403);
    expect(err.challenge?.kind).toBe('wipe');
    o.band.wearState = WearState.WORN_UNLOCKED;
    await refusal(shop.client.payWithBand(fare.outTradeNo, o.band.hello()), 'REVOKED', 403);
    await refusal(h.client.unlock(o.band.hello(), o.username, PASSWORD), 'REVOKED', 403);
    expect((await o.client.ledger()).payments).toHaveLength(1);
    expect((await shop.client.queryTrade(gate.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
    // The payment password is the owner's, not the band's: it still pays, but never from a card of the band turned off.
    const receipt = (await shop.client.payWithPassword(fare.outTradeNo, o.username, PAY_PASSWORD)).receipt;
    expect(receipt.card).toBeNull();
  });

  it('a password payment whose card was picked before the turn-off does not commit on that card (the transaction re-checks)', async () => {
    const o = await ownerWithCode(h);
    const trade = await newTrade(shop, 9_00);
    const row = await h.checkout.store.ledger.trade(shop.merchantId, trade.outTradeNo);
    if (!row) throw new Error('trade missing');
    await h.client.turnOffWithCode(o.username, o.code);
    // As Trades.payWithPassword builds it, with the card it picked while the band was still on.
    const done = await h.checkout.store.ledger.commitPayment({
      payment: {
        id: 'pay_race',
        tradeNo: row.tradeNo,
        accountId: o.account.id,
        deviceId: null,
        cardRef: o.cardRef,
        amount: row.amount,
        currency: row.currency,
        method: 'password',
        counter: null,
        challengeId: null,
        day: 0,
        confirmed: true,
        createdAt: h.clock.now(),
      },
      terminalIds: [shop.terminalId],
    });
    expect(done).toMatchObject({ ok: false, status: Status.REVOKED });
    expect((await shop.client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
  });

  it('/lost refuses a cross-site post of the anonymous form', async () => {
    const o = await ownerWithCode(h);
    expect((await postLost(h, { username: o.username, code: o.code }, { origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect((await postLost(h, { username: o.username, code: o.code }, { 'sec-fetch-site': 'cross-site' })).status).toBe(
      403,
    );
    expect((await o.client.band(o.deviceId)).status).toBe('active');
    // Wrong code on the page: the form again, with the reason.
    const wrong = await postLost(h, { username: o.username, code: 'ABCD-EFGH-JKMN' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('wrong username or turn-off code');
  });
});
