/**
 * The six-digit payment password under attack by merchant terminals (issue 11, finding 2),
 * over real HTTP at the production scrypt cost (2^14).
 * (b) 40 parallel PINs for one trade, and spread over terminals and trades: at most 5
 *     hashes in all, the trade unpaid, then PAY_PASSWORD_BLOCKED even for the right PIN
 *     until the owner unblocks it with the account password.
 * (c) A terminal failing for several payers is suspended: its next signed request is
 *     refused TERMINAL_SUSPENDED, its merchant sees it on /merchant and in the API and can
 *     lift it (with its session, and a confirmation on the page).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal } from './helpers/expect-refusal.ts';
import { countHashes, outcome, tally, until, webLogin } from './helpers/attack.ts';
import { PASSWORD, PAY_PASSWORD, type Terminal, merchantWithTerminal, newOwner, newTrade } from './helpers/fixtures.ts';
import { type Harness, looseLimits, mergeConfig, startHarness } from '../../harness/checkout-harness.ts';

const wrongPin = (i: number): string => String(100_000 + i * 7919).slice(0, 6); // never PAY_PASSWORD (135790)

// Production scrypt (the race shows with slow hashes); the rate limits are lifted: they
// would answer first, and rate-limits.test.ts proves them. These tests are about the counters.
const ATTEMPTS_ONLY = mergeConfig(looseLimits, { scryptLog2N: 14 });

describe('payment password: parallel guesses by terminals', () => {
  let h: Harness;
  let shops: Terminal[];
  beforeAll(async () => {
    h = await startHarness(ATTEMPTS_ONLY);
    shops = [
      await merchantWithTerminal(h, 'Shop One'),
      await merchantWithTerminal(h, 'Shop Two'),
      await merchantWithTerminal(h, 'Shop Three'),
    ];
  });
  afterAll(() => h.close());

  it('40 PINs at once from one terminal for one trade: at most 5 hashed, trade unpaid, then blocked even for the right PIN', async () => {
    const payer = await newOwner(h);
    const trade = await newTrade(shops[0], 88_00);
    const hashes = countHashes();
    let right: string;
    let results: Record<string, number>;
    try {
      const wrong = Array.from({ length: 40 }, (_, i) =>
        outcome(shops[0].client.payWithPassword(trade.outTradeNo, payer.username, wrongPin(i))),
      );
      await until('guesses being hashed', () => hashes.count >= 5);
      right = await outcome(shops[0].client.payWithPassword(trade.outTradeNo, payer.username, PAY_PASSWORD));
      results = tally(await Promise.all(wrong));
      expect(hashes.count, JSON.stringify(results)).toBeLessThanOrEqual(5);
    } finally {
      hashes.restore();
    }
    expect(right).toBe('PAY_PASSWORD_BLOCKED');
    expect(results.OK).toBeUndefined();
    expect((await shops[0].client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
    expect((await h.checkout.store.attempts.counter('pay', payer.account.id))?.attempts).toBe(5);
    expect((await payer.client.me()).paymentPasswordBlocked).toBe(true);
    // One payer is not an attack on many: the terminal still works.
    await shops[0].client.queryTrade(trade.outTradeNo);
  });

  it('spread over 3 terminals and 6 trades: still at most 5 in all; the owner unblocks it with the account password', async () => {
    const payer = await newOwner(h);
    const trades = await Promise.all(
      shops
        .flatMap((s) => [newTrade(s, 12_00), newTrade(s, 13_00)])
        .map(async (t, i) => ({ shop: shops[Math.floor(i / 2)], trade: await t })),
    );
    const hashes = countHashes();
    try {
      const results = tally(
        await Promise.all(
          Array.from({ length: 40 }, (_, i) => {
            const { shop, trade } = trades[i % trades.length];
            return outcome(shop.client.payWithPassword(trade.outTradeNo, payer.username, wrongPin(i)));
          }),
        ),
      );
      expect(hashes.count, JSON.stringify(results)).toBeLessThanOrEqual(5);
      expect(results.OK).toBeUndefined();
    } finally {
      hashes.restore();
    }
    for (const { shop, trade } of trades) {
      await refusal(
        shop.client.payWithPassword(trade.outTradeNo, payer.username, PAY_PASSWORD),
        'PAY_PASSWORD_BLOCKED',
        423,
      );
      expect((await shop.client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
    }
    // Only the owner, with the account password, unblocks it; a wrong one changes nothing.
    await refusal(payer.client.unblockPaymentPassword('not my password'), 'UNAUTHORIZED', 401);
    await refusal(shops[0].merchant.unblockPaymentPassword(PASSWORD), 'FORBIDDEN');
    expect((await payer.client.me()).paymentPasswordBlocked).toBe(true);
    const unblocked = await payer.client.unblockPaymentPassword(PASSWORD);
    expect(unblocked.account.paymentPasswordBlocked).toBe(false);
    const { receipt } = await trades[0].shop.client.payWithPassword(
      trades[0].trade.outTradeNo,
      payer.username,
      PAY_PASSWORD,
    );
    expect(receipt.method).toBe('password');
  });

  it("a PIN that is not six digits is MALFORMED and costs none of the payer's tries", async () => {
    const payer = await newOwner(h);
    const trade = await newTrade(shops[2], 4_00);
    for (const bad of ['12345', '1234567', 'abcdef', '12 456'])
      await refusal(shops[2].client.payWithPassword(trade.outTradeNo, payer.username, bad), 'MALFORMED', 400);
    expect(await h.checkout.store.attempts.counter('pay', payer.account.id)).toBeUndefined();
    await shops[2].client.payWithPassword(trade.outTradeNo, payer.username, PAY_PASSWORD);
  });

  it('the owner unblocks it on the dashboard (a button, the account password, CSRF-protected)', async () => {
    const payer = await newOwner(h);
    const trade = await newTrade(shops[1], 5_00);
    for (let i = 0; i < 5; i++)
      await outcome(shops[1].client.payWithPassword(trade.outTradeNo, payer.username, wrongPin(i)));
    const login = await webLogin(h.server.url, payer.username, PASSWORD);
    const cookie = `wp_session=${login.cookies.wp_session}; wp_device=${login.cookies.wp_device}`;
    const page = await (await fetch(`${h.server.url}/dashboard`, { headers: { cookie } })).text();
    expect(page).toContain('Unblock payment password');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const post = (password: string) =>
      fetch(`${h.server.url}/payment-password/unblock`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: h.server.url,
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams({ csrf, password }).toString(),
      });
    expect((await post('not my password')).status).toBe(401);
    expect((await post(PASSWORD)).status).toBe(303);
    expect((await payer.client.me()).paymentPasswordBlocked).toBe(false);
    await shops[1].client.payWithPassword(trade.outTradeNo, payer.username, PAY_PASSWORD);
  });
});

describe('payment password: a terminal failing across payers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(ATTEMPTS_ONLY);
  });
  afterAll(() => h.close());

  it('is suspended after 10 failures across 3+ payers: next signed request TERMINAL_SUSPENDED, shown on /merchant, lifted by the merchant', async () => {
    const rogue = await merchantWithTerminal(h, 'Rogue Mart');
    const honest = await merchantWithTerminal(h, 'Honest Tea');
    const payers = await Promise.all([1, 2, 3, 4, 5].map(() => newOwner(h)));
    const trade = await newTrade(rogue, 9_99);
    const hashes = countHashes();
    try {
      // 3 guesses per payer (below each payer's own 5), 15 at once.
      await Promise.all(
        payers.flatMap((p) =>
          [0, 1, 2].map((i) => outcome(rogue.client.payWithPassword(trade.outTradeNo, p.username, wrongPin(i)))),
        ),
      );
      expect(hashes.count).toBeLessThanOrEqual(10);
    } finally {
      hashes.restore();
    }
    const refused = await refusal(
      rogue.client.createTrade({ outTradeNo: 'after-suspension', amount: 1_00, currency: 'CNY', subject: 'x' }),
      'TERMINAL_SUSPENDED',
      403,
    );
    expect(refused.message).toMatch(/suspended/);
    await refusal(rogue.client.queryTrade(trade.outTradeNo), 'TERMINAL_SUSPENDED');
    // The payers were not blocked by it: each pays at an honest till.
    for (const p of payers) {
      const t = await newTrade(honest, 1_00);
      await honest.client.payWithPassword(t.outTradeNo, p.username, PAY_PASSWORD);
    }
    // Its merchant sees it, in the API (a new field; the old ones unchanged) and on /merchant.
    const [view] = await rogue.merchant.terminals();
    expect(view).toMatchObject({ terminalId: rogue.terminalId, name: 'till 1', suspendedAt: expect.any(Number) });
    const login = await webLogin(h.server.url, (await rogue.merchant.me()).username, PASSWORD);
    const cookie = `wp_session=${login.cookies.wp_session}`;
    const page = await (await fetch(`${h.server.url}/merchant`, { headers: { cookie } })).text();
    expect(page).toMatch(new RegExp(`data-terminal-id="${rogue.terminalId}"[\\s\\S]*data-status="suspended"`));
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const lift = (confirm: string) =>
      fetch(`${h.server.url}/merchant/terminals/${rogue.terminalId}/lift-suspension`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie,
          'content-type': 'application/x-www-form-urlencoded',
          origin: h.server.url,
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams({ csrf, ...(confirm ? { confirm } : {}) }).toString(),
      });
    // Nobody else can lift it: not another merchant, not the terminal, not unconfirmed.
    await refusal(honest.merchant.liftTerminalSuspension(rogue.terminalId), 'NOT_FOUND');
    expect((await lift('')).status).toBe(400);
    await refusal(rogue.client.queryTrade(trade.outTradeNo), 'TERMINAL_SUSPENDED');
    expect((await lift('yes')).status).toBe(303);
    expect((await rogue.client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
    expect((await rogue.merchant.terminals())[0].suspendedAt).toBeNull();
    await refusal(rogue.merchant.liftTerminalSuspension(rogue.terminalId), 'CONFLICT'); // not suspended any more
  });

  it('honest slips followed by the right PIN leave nothing against the till', async () => {
    const till = await merchantWithTerminal(h, 'Busy Noodles');
    for (let n = 0; n < 6; n++) {
      const p = await newOwner(h);
      const t = await newTrade(till, 2_00);
      await refusal(till.client.payWithPassword(t.outTradeNo, p.username, wrongPin(n)), 'UNAUTHORIZED');
      await refusal(till.client.payWithPassword(t.outTradeNo, p.username, wrongPin(n + 1)), 'UNAUTHORIZED');
      await till.client.payWithPassword(t.outTradeNo, p.username, PAY_PASSWORD);
    }
    expect(await h.checkout.store.attempts.terminalFailures(till.terminalId, 24 * 3600_000, h.clock.now())).toEqual({
      failures: 0,
      payers: 0,
    });
    expect((await till.merchant.terminals())[0].suspendedAt).toBeNull();
  });

  it('two payers failing 5 times each throttle the till (RATE_LIMITED) without suspending it', async () => {
    const till = await merchantWithTerminal(h, 'Corner Shop');
    const [a, b, c] = await Promise.all([newOwner(h), newOwner(h), newOwner(h)]);
    const t = await newTrade(till, 3_00);
    for (const p of [a, b])
      for (let i = 0; i < 5; i++) await outcome(till.client.payWithPassword(t.outTradeNo, p.username, wrongPin(i)));
    await refusal(till.client.payWithPassword(t.outTradeNo, c.username, PAY_PASSWORD), 'RATE_LIMITED', 429);
    expect((await till.merchant.terminals())[0].suspendedAt).toBeNull();
    h.clock.advance(24 * 3600_000 + 1);
    const later = await newTrade(till, 3_00); // t has expired unpaid meanwhile (tradeTtlMs)
    await till.client.payWithPassword(later.outTradeNo, c.username, PAY_PASSWORD);
  });
});
