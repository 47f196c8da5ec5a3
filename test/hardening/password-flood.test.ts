/**
 * An unauthenticated scrypt flood against a real `wristpay checkout start` (its own
 * process, production settings: scrypt 2^14, production rate limits and hash queue).
 * 120 connections send wrong logins back to back for usernames that do not exist (each
 * would cost a decoy hash, and no per-account limit ever applies); meanwhile a legitimate
 * client logs in. Issue 11, finding 4: the login went from ~0.1 s to 2.2 s.
 *
 * Property: the legitimate login's median stays under 5× its median when idle, + 0.5 s;
 * and of the flood's thousands of attempts at most each address's budget reached a
 * password check. Measured once the flood has sent more attempts than all its addresses
 * together may make in a window (its opening burst, during which a stranger's first
 * login can be told 429 + Retry-After: that is the queue bounding the work), and while
 * it keeps going.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { createCheckout } from '../../checkout/checkout.ts';
import { defaultConfig } from '../../checkout/core/config.ts';
import { post, startFlood, stranger } from '../checkout/helpers/from-address.ts';
import { type ChildCheckout, startChildCheckout } from './helpers/child-checkout.ts';
import { reportFigures } from './helpers/scale.ts';

const CONNECTIONS = 120;
// Two legitimate accounts taking turns: eleven logins stay within each account's own limit.
const USERNAMES = ['alice-legit', 'bob-legit'];
const PASSWORD = 'correct horse battery';
const IDLE_SAMPLES = 5;
const FLOOD_SAMPLES = 5;
const WARM_UP_MS = 45_000;
const figures: Record<string, unknown> = {};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let turn = 0;
async function legitLogin(url: string): Promise<number> {
  const t0 = performance.now();
  const a = await post(url, '/v1/sessions', { username: USERNAMES[turn++ % USERNAMES.length], password: PASSWORD });
  const ms = performance.now() - t0;
  expect(a.status, a.text).toBe(201);
  return ms;
}

/** Waits until `cond` (true) or `timeoutMs` has passed (false). */
async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('a flood of wrong logins at production scrypt cost (2^14)', () => {
  const dirs: string[] = [];
  let child: ChildCheckout | undefined;
  afterAll(async () => {
    await child?.kill();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    reportFigures('password-flood', figures);
  });

  const cases: Array<[string, number]> = [
    ['from one address', 1],
    [`from ${CONNECTIONS} addresses`, CONNECTIONS],
  ];
  for (const [what, addresses] of cases) {
    it(`${CONNECTIONS} connections ${what}: a legitimate login stays under 5× its idle time + 0.5 s`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'wristpay-flood-'));
      dirs.push(dir);
      const dbFile = join(dir, 'checkout.db');
      const setup = await createCheckout({ db: dbFile, notify: false });
      for (const username of USERNAMES) await setup.register({ username, password: PASSWORD });
      await setup.close();
      child = await startChildCheckout(dbFile);
      const url = child.url;

      await legitLogin(url); // warm the process up; not measured
      const idle: number[] = [];
      for (let i = 0; i < IDLE_SAMPLES; i++) idle.push(await legitLogin(url));

      const flood = startFlood(
        url,
        '/v1/sessions',
        CONNECTIONS,
        (i) => stranger(i % addresses),
        (i, n) => ({ username: `nobody-${i}-${n}`, password: 'wrong password 123' }),
      );
      const during: number[] = [];
      let sentDuring = 0;
      const t0 = performance.now();
      try {
        const points = defaultConfig.rateLimits.loginPerClient.points;
        const spent = (): boolean => {
          const perAddress = new Array<number>(addresses).fill(0);
          flood.perConnection.forEach((n, i) => {
            perAddress[i % addresses] += n;
          });
          return perAddress.every((n) => n > points);
        };
        // The opening burst: at most WARM_UP_MS for every address to spend its budget and for
        // the attempts that got in to be answered (no new password check for a second). A
        // checkout without limits never gets there, and is then measured under the full flood.
        let hashed = -1;
        let since = 0;
        const settled = (): boolean => {
          const now = flood.answers.get(401) ?? 0;
          if (now !== hashed) [hashed, since] = [now, Date.now()];
          return Date.now() - since > 1_000;
        };
        const warmUpEnd = Date.now() + WARM_UP_MS;
        const calm = (await until(spent, WARM_UP_MS)) && (await until(settled, warmUpEnd - Date.now()));
        figures[`${what}: burst over after ms`] = calm ? performance.now() - t0 : null;
        const before = flood.total();
        for (let i = 0; i < FLOOD_SAMPLES; i++) during.push(await legitLogin(url));
        sentDuring = flood.total() - before;
      } finally {
        await flood.stop();
        await child.kill();
        child = undefined;
      }
      const answers = Object.fromEntries(flood.answers);
      figures[what] = { idleMs: idle, floodMs: during, floodAnswers: answers, floodAnsweredWhileMeasuring: sentDuring };

      // The flood was real: it reached password checks, and it kept going while we measured.
      expect(answers[401] ?? 0).toBeGreaterThan(0);
      expect(sentDuring).toBeGreaterThan(CONNECTIONS);
      // Only what the addresses' budgets allow was ever hashed; the rest was refused 429.
      expect(answers[401] ?? 0).toBeLessThanOrEqual(addresses * defaultConfig.rateLimits.loginPerClient.points);
      expect(Object.keys(answers).sort()).toEqual(['401', '429']);
      expect(
        median(during),
        `idle ${idle.map(Math.round)} ms, during the flood ${during.map(Math.round)} ms`,
      ).toBeLessThan(5 * median(idle) + 500);
    }, 180_000);
  }
});
