/**
 * Finding a lost band (issue 15, item 3) through the checkout's API: every hello that opens
 * records the band's last contact — when, and the terminal that carried it — whatever the
 * hello came for and however it ended; only the band's owner reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WearState } from '../../shared/protocol/constants.ts';
import { SEEN_STEP_MS } from '../../checkout/core/last-seen.ts';
import type { Api, CheckoutClient } from '../../checkout/api/client.ts';
import { webLogin } from './helpers/attack.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PASSWORD,
  addCard,
  enrollBand,
  merchantWithTerminal,
  newOwner,
  newTrade,
  ownerWithBand,
  payWithBand,
  unique,
  unlock,
} from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(cheapTestConfig);
});
afterAll(() => h.close());

/** Runs `step` and returns the checkout-clock span it ran in (the harness clock is real time, shifted). */
async function during(step: () => Promise<unknown>): Promise<{ from: number; to: number }> {
  const from = h.clock.now();
  await step();
  return { from, to: h.clock.now() };
}

/** The owner's view of the band's last contact, its time within `span`. */
async function expectSeen(
  owner: { client: CheckoutClient },
  deviceId: string,
  span: { from: number; to: number },
  where: { merchant: string | null; terminal: string | null },
): Promise<Api.LastSeenView> {
  const seen = (await owner.client.lastSeen(deviceId)).lastSeen;
  // These bands' test hardware has no fuel gauge: their hellos say nothing of the battery.
  expect(seen).toEqual({ at: expect.any(Number), ...where, battery: null });
  expect(seen?.at).toBeGreaterThanOrEqual(span.from);
  expect(seen?.at).toBeLessThanOrEqual(span.to);
  return seen as Api.LastSeenView;
}

describe('a band is last seen where its last hello came from', () => {
  it('never seen after enrollment; an unlock is a contact at no terminal; a payment names the merchant and till', async () => {
    const o = await newOwner(h);
    const { band, deviceId } = await enrollBand(h, o);
    expect(await o.client.lastSeen(deviceId)).toEqual({
      deviceId,
      name: 'test band',
      status: 'active',
      lastSeen: null,
      ringRequestedAt: null,
      rangAt: null,
    });
    const unlocked = await during(() => unlock(h, o, band));
    await expectSeen(o, deviceId, unlocked, { merchant: null, terminal: null });
    await addCard(o, band, deviceId, { issuerId: 'icbc' });
    const shop = await merchantWithTerminal(h, unique('Tea House '));
    const paid = await during(async () => payWithBand(shop, band, (await newTrade(shop, 10_00)).outTradeNo));
    await expectSeen(o, deviceId, paid, { merchant: shop.merchantName, terminal: 'till 1' });
  });

  it('again at the same till within the minute is not written; after it, or at another till, it is', async () => {
    const o = await ownerWithBand(h);
    const shop = await merchantWithTerminal(h, unique('Tea House '));
    const at = { merchant: shop.merchantName, terminal: 'till 1' };
    const paid = await during(async () => payWithBand(shop, o.band, (await newTrade(shop, 10_00)).outTradeNo));
    const first = await expectSeen(o, o.deviceId, paid, at);
    h.clock.advance(SEEN_STEP_MS - 5_000);
    await payWithBand(shop, o.band, (await newTrade(shop, 11_00)).outTradeNo);
    expect((await o.client.lastSeen(o.deviceId)).lastSeen).toEqual(first);
    h.clock.advance(5_000);
    const later = await during(async () => payWithBand(shop, o.band, (await newTrade(shop, 12_00)).outTradeNo));
    await expectSeen(o, o.deviceId, later, at);
    const other = await merchantWithTerminal(h, unique('Noodle Bar '));
    const there = await during(async () => payWithBand(other, o.band, (await newTrade(other, 13_00)).outTradeNo));
    await expectSeen(o, o.deviceId, there, { merchant: other.merchantName, terminal: 'till 1' });
  });

  it('a refused hello counts: the band taken off and shown at another till', async () => {
    const o = await ownerWithBand(h);
    const shop = await merchantWithTerminal(h, unique('Bakery '));
    o.band.wearState = WearState.OFF_WRIST;
    const trade = await newTrade(shop, 5_00);
    const refused = await during(() => refusal(shop.client.payWithBand(trade.outTradeNo, o.band.hello()), 'NOT_WORN'));
    await expectSeen(o, o.deviceId, refused, { merchant: shop.merchantName, terminal: 'till 1' });
  });

  it('a revoked band stays findable by its owner, and its next contact (the wipe) is recorded', async () => {
    const o = await ownerWithBand(h);
    const shop = await merchantWithTerminal(h, unique('Florist '));
    const paid = await during(async () => payWithBand(shop, o.band, (await newTrade(shop, 7_00)).outTradeNo));
    await o.client.revokeBand(o.deviceId);
    expect((await o.client.lastSeen(o.deviceId)).status).toBe('revoked');
    await expectSeen(o, o.deviceId, paid, { merchant: shop.merchantName, terminal: 'till 1' });
    const pawn = await merchantWithTerminal(h, unique('Pawn Shop '));
    const shown = await during(() => refusal(pawn.client.hello(o.band.hello()), 'REVOKED'));
    await expectSeen(o, o.deviceId, shown, { merchant: pawn.merchantName, terminal: 'till 1' });
  });

  it('an unpaired or renamed terminal is named as it is now', async () => {
    const o = await ownerWithBand(h);
    const shop = await merchantWithTerminal(h, unique('Kiosk '));
    await payWithBand(shop, o.band, (await newTrade(shop, 3_00)).outTradeNo);
    await shop.merchant.renameTerminal(shop.terminalId, 'gate 4');
    await shop.merchant.unpairTerminal(shop.terminalId);
    expect((await o.client.lastSeen(o.deviceId)).lastSeen).toMatchObject({ terminal: 'gate 4' });
  });
});

describe('only the owner finds the band', () => {
  it('an unknown band is NOT_FOUND; another owner FORBIDDEN; a merchant FORBIDDEN; no session UNAUTHORIZED', async () => {
    const o = await ownerWithBand(h);
    const stranger = await newOwner(h);
    const shop = await merchantWithTerminal(h, unique('Cafe '));
    await payWithBand(shop, o.band, (await newTrade(shop, 2_00)).outTradeNo);
    await refusal(o.client.lastSeen('00'.repeat(16)), 'NOT_FOUND', 404);
    await refusal(o.client.lastSeen('not a band id'), 'NOT_FOUND', 404);
    await refusal(stranger.client.lastSeen(o.deviceId), 'FORBIDDEN', 403);
    await refusal(shop.merchant.lastSeen(o.deviceId), 'FORBIDDEN', 403);
    await refusal(h.client.lastSeen(o.deviceId), 'UNAUTHORIZED', 401);
    // Nor asks it to ring.
    await refusal(stranger.client.ring(o.deviceId, true), 'FORBIDDEN', 403);
    await refusal(shop.merchant.ring(o.deviceId, true), 'FORBIDDEN', 403);
    await refusal(h.client.ring(o.deviceId, true), 'UNAUTHORIZED', 401);
    expect((await o.client.lastSeen(o.deviceId)).ringRequestedAt).toBeNull();
    // Another account's password with a captured hello of the band is no contact of its owner's.
    const before = (await o.client.lastSeen(o.deviceId)).lastSeen;
    h.clock.advance(SEEN_STEP_MS);
    await refusal(h.client.unlock(o.band.hello(), stranger.username, PASSWORD), 'FORBIDDEN', 403);
    expect((await o.client.lastSeen(o.deviceId)).lastSeen).toEqual(before);
  });
});

describe("the owner's dashboard", () => {
  it('says where and when each band was last seen, or never; a revoked one too', async () => {
    const o = await newOwner(h);
    const { band, deviceId } = await enrollBand(h, o);
    const dashboard = async (): Promise<string> => {
      const login = await webLogin(h.server.url, o.username, PASSWORD);
      const cookie = `wp_session=${login.cookies.wp_session}`;
      return (await fetch(`${h.server.url}/dashboard`, { headers: { cookie } })).text();
    };
    expect(await dashboard()).toContain('Last seen: never, since it was enrolled');
    await addCard(o, band, deviceId, { issuerId: 'icbc' });
    await unlock(h, o, band);
    expect(await dashboard()).toMatch(
      /Last seen when you unlocked it \(not at a terminal\), \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
    );
    const shop = await merchantWithTerminal(h, unique('Tea <House> '));
    await payWithBand(shop, band, (await newTrade(shop, 10_00)).outTradeNo);
    await o.client.revokeBand(deviceId);
    const page = await dashboard();
    const seen = (await o.client.lastSeen(deviceId)).lastSeen as Api.LastSeenView;
    const name = shop.merchantName.replace('<', '&lt;').replace('>', '&gt;');
    expect(page).toContain(
      `Last seen at ${name}&#39;s terminal till 1, ${new Date(seen.at).toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    );
    expect(page).toContain('wipe pending');
  });
});

describe('ringing a lost band at its next contact', () => {
  it('every till that races to see it gets FIND_REQUESTED; one FIND challenge rings it and closes the request', async () => {
    const o = await ownerWithBand(h);
    const shop = await merchantWithTerminal(h, unique('Kiosk '));
    o.band.wearState = WearState.OFF_WRIST;
    const asked = await o.client.ring(o.deviceId, true);
    expect(asked.ringRequestedAt).toBeGreaterThan(0);
    // Four tills see the band at once: each is told, each carries a find challenge.
    const trades = await Promise.all([1, 2, 3, 4].map(() => newTrade(shop, 3_00)));
    const refused = await Promise.all(
      trades.map((t) => refusal(shop.client.payWithBand(t.outTradeNo, o.band.hello()), 'FIND_REQUESTED', 409)),
    );
    for (const e of refused) expect(e.challenge?.kind).toBe('find');
    // The band rings for the one its till delivers and answers; the others expire unanswered.
    const find = refused[0].challenge as NonNullable<(typeof refused)[0]['challenge']>;
    await shop.client.answer(find.challengeId, o.band.answerOk(o.band.open(find.message)));
    const after = await o.client.lastSeen(o.deviceId);
    expect(after.ringRequestedAt).toBeNull();
    expect(after.rangAt).toBeGreaterThanOrEqual(asked.ringRequestedAt as number);
    // Closed: the next contact is an ordinary off-wrist refusal.
    await refusal(shop.client.payWithBand((await newTrade(shop, 3_00)).outTradeNo, o.band.hello()), 'NOT_WORN');
  });

  it('a turned-off band is not rung (its next contact wipes it); withdrawing is idempotent', async () => {
    const o = await ownerWithBand(h);
    expect((await o.client.ring(o.deviceId, false)).ringRequestedAt).toBeNull();
    await o.client.revokeBand(o.deviceId);
    await refusal(o.client.ring(o.deviceId, true), 'REVOKED', 403);
  });
});
