/**
 * SIGKILL the checkout mid-load. The checkout runs as a child process
 * (`checkout start --db FILE --port 0`); one payment loop per band drives it over HTTP with
 * the band double; at a seeded point the process is killed with SIGKILL while other
 * payments are in flight, then started again on the same file. After every restart:
 *
 * - the ledger is consistent (no trade paid twice, every payment has its paid trade and
 *   answered challenge, day totals and card counters add up, SQLite integrity_check ok);
 * - every payment acknowledged before the kill is in the ledger;
 * - every in-flight payment is either paid or cleanly retryable: the same answer posted
 *   again is paid (if the kill came first) or REPLAYED (if its commit came first, and the
 *   trade is then paid); a trade whose answer never left gets a fresh challenge and is
 *   paid exactly once (a second attempt is TRADE_CLOSED).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckoutHttpError } from '../../checkout/api/client.ts';
import { refusal } from '../checkout/helpers/expect-refusal.ts';
import { type ChildCheckout, startChildCheckout } from './helpers/child-checkout.ts';
import { Rng } from './helpers/fuzz-gen.ts';
import { type Attempt, type World, payFresh, payLoop, setUpWorld, terminalClient } from './helpers/kill-load.ts';
import { ledgerProblems, ledgerTotals, openReader } from './helpers/ledger-check.ts';
import { SEED, reportFigures, scaled } from './helpers/scale.ts';

const CYCLES = scaled(4, 20);
const LANES = 4;
const KILL_AFTER = { base: scaled(15, 60), spread: scaled(25, 300) };

const figures = {
  cycles: 0,
  acknowledged: 0,
  inFlight: { creating: 0, challenging: 0, answering: 0 },
  answerRetriedPaid: 0,
  answerRetriedReplayed: 0,
  paidWithFreshChallenge: 0,
  restartMs: [] as number[],
  payments: 0,
  amount: 0,
};

describe('SIGKILL of the checkout under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-kill-'));
  const dbFile = join(dir, 'checkout.db');
  let child: ChildCheckout | undefined;
  afterAll(async () => {
    reportFigures('kill-checkout', { seed: SEED, lanes: LANES, ...figures });
    if (child) await child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  function checkLedger(attempts: Attempt[]): void {
    const db = openReader(dbFile);
    try {
      expect(ledgerProblems(db)).toEqual([]);
      const paid = db
        .prepare('SELECT t.out_trade_no AS o, p.amount FROM payments p JOIN trades t ON t.trade_no = p.trade_no')
        .all() as Array<{ o: string; amount: number }>;
      const inLedger = new Map(paid.map((p) => [p.o, p.amount]));
      for (const a of attempts.filter((x) => x.state === 'paid'))
        expect(inLedger.get(a.outTradeNo), `acknowledged ${a.outTradeNo}`).toBe(a.amount);
    } finally {
      db.close();
    }
  }

  /** Brings every unfinished attempt to paid, exactly once, against the restarted checkout. */
  async function reconcile(w: World, attempts: Attempt[]): Promise<void> {
    const client = terminalClient((child as ChildCheckout).url, w);
    for (const a of attempts.filter((x) => x.state !== 'paid')) {
      figures.inFlight[a.state as 'creating' | 'challenging' | 'answering'] += 1;
      if (a.state === 'answering') {
        try {
          a.receipt = (await client.answer(a.challengeId as string, a.answer as Uint8Array)).receipt;
          figures.answerRetriedPaid += 1;
        } catch (e) {
          expect(e, `retry of ${a.outTradeNo}`).toBeInstanceOf(CheckoutHttpError);
          expect((e as CheckoutHttpError).statusName, `retry of ${a.outTradeNo}`).toBe('REPLAYED');
          figures.answerRetriedReplayed += 1;
        }
        await refusal(client.answer(a.challengeId as string, a.answer as Uint8Array), 'REPLAYED');
      } else {
        if (a.state === 'challenging')
          expect((await client.queryTrade(a.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
        a.receipt = await payFresh(client, w, a);
        figures.paidWithFreshChallenge += 1;
        const again = payFresh(client, w, a);
        await refusal(again, 'TRADE_CLOSED');
      }
      const q = await client.queryTrade(a.outTradeNo);
      expect(q.trade.status, a.outTradeNo).toBe('TRADE_SUCCESS');
      expect(q.payment?.amount).toBe(a.amount);
      a.state = 'paid';
    }
  }

  it('keeps the ledger consistent, and every in-flight payment paid once or retryable', async () => {
    const rng = new Rng(SEED);
    let started = performance.now();
    child = await startChildCheckout(dbFile);
    figures.restartMs.push(Math.round(performance.now() - started));
    const w = await setUpWorld(child.url, LANES);
    const attempts: Attempt[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const target = KILL_AFTER.base + rng.int(KILL_AFTER.spread);
      let paid = 0;
      let dead = false;
      let killing: Promise<void> = Promise.resolve();
      const running = child;
      const onPaid = () => {
        if (++paid === target && !dead) {
          dead = true;
          killing = running.kill();
        }
      };
      const client = terminalClient(running.url, w);
      const amountOf = () => 100 + rng.int(900);
      const mine: Attempt[] = [];
      await Promise.all(
        w.lanes.map((_, lane) => payLoop(client, w, lane, `c${cycle}`, mine, amountOf, () => dead, onPaid)),
      );
      await killing;
      attempts.push(...mine);
      figures.acknowledged += mine.filter((a) => a.state === 'paid').length;

      started = performance.now();
      child = await startChildCheckout(dbFile);
      figures.restartMs.push(Math.round(performance.now() - started));
      checkLedger(attempts);
      await reconcile(w, mine);
      checkLedger(attempts);
      figures.cycles += 1;
    }
    // A slow kill can let every request of a cycle finish, but not of all of them.
    expect(
      figures.inFlight.creating + figures.inFlight.challenging + figures.inFlight.answering,
      'payments in flight at a kill',
    ).toBeGreaterThan(0);
    const db = openReader(dbFile);
    const totals = ledgerTotals(db);
    db.close();
    expect(totals.payments).toBe(attempts.length);
    expect(totals.paidTrades).toBe(attempts.length);
    expect(totals.paymentsAmount).toBe(attempts.reduce((s, a) => s + a.amount, 0));
    expect(totals.paidAmount).toBe(totals.paymentsAmount);
    figures.payments = totals.payments;
    figures.amount = totals.paymentsAmount;
    // After all that, a clean stop still closes the file properly.
    expect(await child.stop()).toBe(0);
    child = undefined;
  });
});
