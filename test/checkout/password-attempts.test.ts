/**
 * The account password under attack (issue 11, findings 1 and 3), over real HTTP at the
 * production scrypt cost (2^14): the race only shows when hashes take real time.
 * (a) 40 wrong guesses at once + the right one: at most 5 hashes evaluated, and the right
 *     one does not get in while untrusted clients are throttled.
 * (d) A stranger's failures do not stop the owner's browser or CLI that signed in before
 *     (device token); a new client is throttled with a growing, capped window, never locked for good.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusal } from './helpers/expect-refusal.ts';
import { countHashes, outcome, postJson, tally, until, webLogin } from './helpers/attack.ts';
import { PASSWORD, enrollBand, unique } from './helpers/fixtures.ts';
import { type Harness, looseLimits, mergeConfig, startHarness } from '../../harness/checkout-harness.ts';

// Production scrypt: the race needs hashes as slow as in production. The per-address and
// per-account rate limits are lifted: they would answer first, and they are proven in
// rate-limits.test.ts; these tests are about the attempt counters behind them.
const PRODUCTION_SCRYPT = mergeConfig(looseLimits, { scryptLog2N: 14 });

async function register(h: Harness): Promise<{ username: string; id: string }> {
  const username = unique('victim');
  const account = await h.client.register({ username, password: PASSWORD, paymentPassword: '246810' });
  return { username, id: account.id };
}

describe('account password: parallel guesses', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(PRODUCTION_SCRYPT);
  });
  afterAll(() => h.close());

  it('40 wrong logins at once + the right one: at most 5 hashes, and the right one is refused', async () => {
    const v = await register(h);
    const hashes = countHashes();
    try {
      const wrong = Array.from({ length: 40 }, (_, i) => outcome(h.client.login(v.username, `guess number ${i}`)));
      // The right one goes last, once guesses are being hashed: before the fix all 40 were
      // (and it got in after 39 failures); now 5 are, and the rest wait for nothing.
      await until('guesses being hashed', () => hashes.count >= 5);
      const right = await outcome(h.client.login(v.username, PASSWORD));
      const results = tally(await Promise.all(wrong));
      expect(hashes.count, JSON.stringify(results)).toBeLessThanOrEqual(5);
      expect(right).toBe('ACCOUNT_LOCKED');
      expect(results.OK).toBeUndefined();
      expect((results.UNAUTHORIZED ?? 0) + (results.ACCOUNT_LOCKED ?? 0)).toBe(40);
    } finally {
      hashes.restore();
    }
    // The store's own count agrees: 5 reservations granted, each one hash.
    expect((await h.checkout.store.attempts.counter('login', v.id))?.attempts).toBe(5);
  });

  it('the same over /v1/unlock: the unlock grant spends the same counter', async () => {
    const v = await register(h);
    const owner = await h.client.loginAs(v.username, PASSWORD);
    const { band } = await enrollBand(h, { username: v.username, token: '', client: owner, account: await owner.me() });
    const hashes = countHashes();
    try {
      const wrong = Array.from({ length: 40 }, (_, i) =>
        outcome(h.client.unlock(band.hello(), v.username, `guess number ${i}`)),
      );
      await until('guesses being hashed', () => hashes.count >= 5);
      const right = await outcome(h.client.unlock(band.hello(), v.username, PASSWORD));
      await Promise.all(wrong);
      expect(hashes.count).toBeLessThanOrEqual(5);
      expect(right).toBe('ACCOUNT_LOCKED');
    } finally {
      hashes.restore();
    }
  });
});

describe('account password: a stranger cannot lock the owner out', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(PRODUCTION_SCRYPT);
  });
  afterAll(() => h.close());

  it("the owner's browser and CLI that signed in before keep working and reach /lost; a new client is throttled", async () => {
    const v = await register(h);
    const owner = await h.client.loginAs(v.username, PASSWORD);
    const { band } = await enrollBand(h, { username: v.username, token: '', client: owner, account: await owner.me() });
    const cli = await h.client.login(v.username, PASSWORD); // the CLI keeps this in its config
    const browser = await webLogin(h.server.url, v.username, PASSWORD);
    expect(browser.status).toBe(303);
    expect(browser.cookies.wp_device).toMatch(/^d1\./);

    // The stranger: 40 wrong API logins at once and 10 wrong web logins, no device token.
    const stranger = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => outcome(h.client.login(v.username, `stranger ${i}`))),
      ...Array.from({ length: 10 }, (_, i) =>
        webLogin(h.server.url, v.username, `stranger web ${i}`).then((r) => String(r.status)),
      ),
    ]);
    expect(stranger).not.toContain('OK');
    expect(stranger.filter((s) => s === '303')).toHaveLength(0);
    await refusal(h.client.login(v.username, PASSWORD), 'ACCOUNT_LOCKED', 423); // a new client: throttled
    const newBrowser = await webLogin(h.server.url, v.username, PASSWORD);
    expect(newBrowser.status).toBe(423);
    expect(Number(newBrowser.retryAfter)).toBeGreaterThan(0);

    // The owner's CLI, with its device token: in, and it gets a fresh token.
    const again = await h.client.login(v.username, PASSWORD, cli.deviceToken);
    expect(again.deviceToken).toMatch(/^d1\./);
    // …and its unlock grant, which checks the same password: in with the token, throttled without.
    await refusal(h.client.unlock(band.hello(), v.username, PASSWORD), 'ACCOUNT_LOCKED');
    const grant = await h.client.unlockWithDevice(band.hello(), v.username, PASSWORD, again.deviceToken);
    expect(grant.challenge.kind).toBe('unlock');
    // The owner's browser, with its wp_device cookie: in, and /lost shows the switch.
    const web = await webLogin(h.server.url, v.username, PASSWORD, `wp_device=${browser.cookies.wp_device}`);
    expect(web.status).toBe(303);
    const lost = await fetch(`${h.server.url}/lost`, { headers: { cookie: `wp_session=${web.cookies.wp_session}` } });
    expect(lost.status).toBe(200);
    expect(await lost.text()).toContain('Turn off wrist payments');

    // A token is bound to its username: another account's token counts as no token.
    const other = await register(h);
    const otherToken = (await h.client.login(other.username, PASSWORD)).deviceToken;
    await refusal(h.client.login(v.username, PASSWORD, otherToken), 'ACCOUNT_LOCKED');
    // Forged MAC: the MAC's first character changed (replacing the last two with a fixed 'AA'
    // left the token unchanged once in ~1,000 runs, when it already ended so).
    const macAt = cli.deviceToken.lastIndexOf('.') + 1;
    const swapped = cli.deviceToken[macAt] === 'A' ? 'B' : 'A';
    const forged = cli.deviceToken.slice(0, macAt) + swapped + cli.deviceToken.slice(macAt + 1);
    expect(forged).not.toBe(cli.deviceToken);
    await refusal(h.client.login(v.username, PASSWORD, forged), 'ACCOUNT_LOCKED');
  });

  it('a device token has its own small limit: a stolen one is throttled without touching the others', async () => {
    const v = await register(h);
    const laptop = (await h.client.login(v.username, PASSWORD)).deviceToken;
    const phone = (await h.client.login(v.username, PASSWORD)).deviceToken;
    const burst = tally(
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => outcome(h.client.login(v.username, `thief ${i}`, laptop))),
      ),
    );
    expect(burst.OK).toBeUndefined();
    await refusal(h.client.login(v.username, PASSWORD, laptop), 'ACCOUNT_LOCKED');
    await h.client.login(v.username, PASSWORD, phone);
    await h.client.login(v.username, PASSWORD); // the untrusted counter was not touched either
  });

  it('a new client waits a window that doubles from 1 min and stops at 1 h, then gets in with the right password', async () => {
    const v = await register(h);
    const url = `${h.server.url}/v1/sessions`;
    const first = await Promise.all(
      Array.from({ length: 10 }, (_, i) => postJson(url, { username: v.username, password: `stranger ${i}` })),
    );
    const windows = [Math.max(...first.map((r) => Number(r.retryAfter ?? 0)))];
    for (let i = 0; i < 7; i++) {
      const wait = windows[windows.length - 1] * 1000;
      const early = await postJson(url, { username: v.username, password: PASSWORD });
      expect(early.json.error?.name).toBe('ACCOUNT_LOCKED'); // still inside the window: even the right password waits
      h.clock.advance(wait + 1);
      const r = await postJson(url, { username: v.username, password: `stranger again ${i}` });
      expect(r.status).toBe(423);
      windows.push(Number(r.retryAfter));
    }
    expect(windows).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600]);
    h.clock.advance(3600_000 + 1);
    const owner = await postJson(url, { username: v.username, password: PASSWORD });
    expect(owner.status).toBe(201); // throttled, never locked for good
  });
});
