/**
 * Password attempt limits hold across checkout processes sharing one database (the store
 * decides, not process memory): two `wristpay checkout start` children on the same SQLite
 * file, production defaults (scrypt 2^14), guesses split between them and sent at once.
 * Evaluated hashes are read back from the file: attempt_counters.attempts counts every
 * reservation granted, and only a granted reservation is hashed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../shared/crypto/default-provider.ts';
import { CheckoutClient } from '../../checkout/api/client.ts';
import { outcome, tally } from '../checkout/helpers/attack.ts';
import { post, stranger } from '../checkout/helpers/from-address.ts';
import { PASSWORD, PAY_PASSWORD, merchantWithTerminal, newTrade, unique } from '../checkout/helpers/fixtures.ts';
import { type Harness, TestClock } from '../../harness/checkout-harness.ts';
import { type ChildCheckout, startChildCheckout } from './helpers/child-checkout.ts';

describe('attempt limits across two checkout processes on one database', () => {
  let dir: string;
  let db: string;
  let a: ChildCheckout;
  let b: ChildCheckout;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wristpay-attempts-'));
    db = join(dir, 'shop.db');
    a = await startChildCheckout(db); // first, so the schema and keys exist before the second opens the file
    b = await startChildCheckout(db);
  }, 60_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const attempts = (scope: string, subject: string): number => {
    const file = new Database(db, { readonly: true });
    try {
      const r = file
        .prepare('SELECT attempts FROM attempt_counters WHERE scope = ? AND subject = ?')
        .get(scope, subject) as { attempts: number } | undefined;
      return r ? r.attempts : 0;
    } finally {
      file.close();
    }
  };

  it('40 wrong logins split over both, then the right one: at most 5 evaluated, the right one refused', async () => {
    const [ca, cb] = [new CheckoutClient(a.url), new CheckoutClient(b.url)];
    const username = unique('victim');
    const account = await ca.register({ username, password: PASSWORD });
    // From 40 addresses, as a botnet would: the per-address limit does not stop them, the
    // per-account one lets 10 through, and the attempt counter in the shared file must hold those to 5.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post(i % 2 ? a.url : b.url, '/v1/sessions', { username, password: `guess ${i}` }, { from: stranger(i) }),
      ),
    );
    const names = answers.map((r) => r.name || String(r.status));
    expect(names).not.toContain('201');
    expect(attempts('login', account.id)).toBeLessThanOrEqual(5);
    expect(names).toContain('ACCOUNT_LOCKED'); // some got past the rate limits and were held by the counter
    // The right password is refused too: by the lock, or first by the per-account rate limit.
    expect(['ACCOUNT_LOCKED', 'RATE_LIMITED']).toContain(await outcome(cb.login(username, PASSWORD)));
    expect(['ACCOUNT_LOCKED', 'RATE_LIMITED']).toContain(await outcome(ca.login(username, PASSWORD)));
  }, 60_000);

  it('40 PINs split over both processes and two terminals: at most 5 evaluated, nothing paid', async () => {
    const provider = defaultProvider();
    const via = (url: string) =>
      ({ client: new CheckoutClient(url), provider, clock: new TestClock() }) as unknown as Harness;
    const shops = [
      await merchantWithTerminal(via(a.url), 'Shop A1'),
      await merchantWithTerminal(via(b.url), 'Shop B1'),
    ];
    const username = unique('payer');
    const account = await new CheckoutClient(a.url).register({
      username,
      password: PASSWORD,
      paymentPassword: PAY_PASSWORD,
    });
    const trades = [await newTrade(shops[0], 50_00), await newTrade(shops[1], 60_00)];
    const results = tally(
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          outcome(shops[i % 2].client.payWithPassword(trades[i % 2].outTradeNo, username, String(200_000 + i))),
        ),
      ),
    );
    expect(results.OK).toBeUndefined();
    expect(attempts('pay', account.id)).toBeLessThanOrEqual(5);
    expect(results.PAY_PASSWORD_BLOCKED).toBeGreaterThan(0); // past the rate limits, held by the counter
    // The right PIN is refused too: blocked, or first by the per-payer rate limit.
    expect(['PAY_PASSWORD_BLOCKED', 'RATE_LIMITED']).toContain(
      await outcome(shops[1].client.payWithPassword(trades[1].outTradeNo, username, PAY_PASSWORD)),
    );
    for (const [i, t] of trades.entries())
      expect((await shops[i].client.queryTrade(t.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
  }, 60_000);
});
