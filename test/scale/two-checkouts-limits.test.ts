/**
 * Attempt limits and rate limits hold across two checkout processes on one PostgreSQL
 * (issue 13): attackers in parallel across both get no more tries than the limit. Both
 * `wristpay checkout start --db postgres://…` children run the production settings
 * (scrypt 2^14, the default rate limits); the guesses are split between them and sent at
 * once. The counts are read back through the store (attempts.counter: every reservation
 * granted, and only a granted reservation is hashed).
 *
 * A rate limit's refusal ("too many …") is told apart from the password-hash queue's
 * (RATE_LIMITED too, "the password check queue is full": each process sheds load it cannot
 * hash in time, after the attempt was counted): exactly the attempts beyond the limit are
 * refused by the limit, whichever process they reached.
 */
import { expect, it } from 'vitest';
import { CheckoutClient, CheckoutHttpError } from '../../checkout/api/client.ts';
import { outcome, tally } from '../checkout/helpers/attack.ts';
import { post, stranger } from '../checkout/helpers/from-address.ts';
import { PASSWORD, PAY_PASSWORD, merchantWithTerminal, unique } from '../checkout/helpers/fixtures.ts';
import { needs, requirements } from '../support/requirements.ts';
import { useTwoCheckouts } from './helpers/two-checkouts.ts';

/** Refused by a rate limit (not by the hash queue): an HTTP answer's text, or a client's error. */
function overLimit(x: { text?: string } | unknown): boolean {
  if (x instanceof CheckoutHttpError) return x.statusName === 'RATE_LIMITED' && x.message.includes('too many');
  const text = (x as { text?: string }).text ?? '';
  return /"name":"RATE_LIMITED"/.test(text) && text.includes('too many');
}

needs(requirements.postgres).describe('attempt and rate limits across two checkout processes on PostgreSQL', () => {
  const two = useTwoCheckouts();

  it('40 wrong logins from 40 addresses split over both: 30 refused by the per-account rate limit, at most 5 evaluated', async () => {
    const { a, b, store } = two;
    const username = unique('victim');
    const account = await new CheckoutClient(a.url).register({ username, password: PASSWORD });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post(i % 2 ? a.url : b.url, '/v1/sessions', { username, password: `guess ${i}` }, { from: stranger(i) }),
      ),
    );
    const names = answers.map((r) => r.name || String(r.status));
    expect(names).not.toContain('201');
    // loginPerAccount: 10 per window, counted in the database for both processes.
    expect(answers.filter(overLimit)).toHaveLength(30);
    expect((await store.attempts.counter('login', account.id))?.attempts).toBeLessThanOrEqual(5);
    expect(names).toContain('ACCOUNT_LOCKED'); // past the rate limit, held by the shared counter
    for (const url of [a.url, b.url])
      expect(['ACCOUNT_LOCKED', 'RATE_LIMITED']).toContain(
        await outcome(new CheckoutClient(url).login(username, PASSWORD)),
      );
  });

  it('40 PINs split over both and two terminals: 30 refused by the per-payer rate limit, at most 5 evaluated, nothing paid', async () => {
    const { a, b, setup, store } = two;
    const shops = [
      await merchantWithTerminal(setup.harness, 'Limits A'),
      await merchantWithTerminal(setup.harness, 'Limits B'),
    ];
    const tills = [two.till(a, shops[0]), two.till(b, shops[1])];
    const username = unique('payer');
    const account = await new CheckoutClient(b.url).register({
      username,
      password: PASSWORD,
      paymentPassword: PAY_PASSWORD,
    });
    const trades = await Promise.all(
      tills.map((t) => t.createTrade({ outTradeNo: unique('pin-'), amount: 50_00, currency: 'CNY', subject: 'tea' })),
    );
    const settled = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        tills[i % 2].payWithPassword(trades[i % 2].outTradeNo, username, String(200_000 + i)),
      ),
    );
    const results = settled.map((r) =>
      r.status === 'fulfilled' ? 'OK' : r.reason instanceof CheckoutHttpError ? r.reason.statusName : String(r.reason),
    );
    const counts = tally(results);
    expect(counts.OK).toBeUndefined();
    // payPasswordPerAccount: 10 per window (payPasswordPerTerminal's 20 are not reached).
    expect(settled.filter((r) => r.status === 'rejected' && overLimit(r.reason))).toHaveLength(30);
    expect((await store.attempts.counter('pay', account.id))?.attempts).toBeLessThanOrEqual(5);
    expect(counts.PAY_PASSWORD_BLOCKED).toBeGreaterThan(0);
    expect(['PAY_PASSWORD_BLOCKED', 'RATE_LIMITED']).toContain(
      await outcome(tills[1].payWithPassword(trades[1].outTradeNo, username, PAY_PASSWORD)),
    );
    for (const t of trades) expect((await store.ledger.tradeByNo(t.tradeNo))?.status).toBe('WAIT_BUYER_PAY');
  });

  it('30 registrations from one address split over both: 20 refused by the hourly limit, at most 10 made', async () => {
    const { a, b, store } = two;
    const from = stranger(200);
    const names = Array.from({ length: 30 }, () => unique('signup'));
    const answers = await Promise.all(
      names.map((username, i) =>
        post(i % 2 ? a.url : b.url, '/v1/accounts', { username, password: PASSWORD }, { from }),
      ),
    );
    const outcomes = answers.map((r) => r.name || String(r.status));
    expect(answers.filter(overLimit)).toHaveLength(20); // registerPerClient: 10 an hour
    expect(outcomes.filter((n) => n === '201').length).toBeGreaterThan(0);
    const created = await Promise.all(names.map((n) => store.accounts.byUsername(n)));
    const made = created.filter((x) => x !== undefined).length;
    expect(made).toBe(outcomes.filter((n) => n === '201').length);
    expect(made).toBeLessThanOrEqual(10);
    for (const r of answers.filter((x) => x.name === 'RATE_LIMITED')) expect(Number(r.retryAfter)).toBeGreaterThan(0);
  });
});
