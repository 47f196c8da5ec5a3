/**
 * Load through several checkout processes on one database, as a load balancer in front of
 * them would spread it: one payment loop per band (so each card's counters arrive in
 * order), and each payment's three requests (trade, challenge, answer) sent to the
 * processes in turn. A request that fails because its process is gone (SIGKILL) or its
 * database is (503 UNREACHABLE) is sent again, as a till does: to the other process, or
 * after Retry-After. A trade is created again (idempotent), a challenge asked for again,
 * and the same answer posted again, which is then paid, or REPLAYED when the first post
 * had committed (and the trade must then be paid with this amount). Any other failure
 * fails the load.
 */
import { CheckoutHttpError, type CheckoutClient, CheckoutUnreachableError } from '../../../checkout/api/client.ts';
import { type Attempt, type World, terminalClient } from '../../hardening/helpers/kill-load.ts';

export interface Processes {
  /** Each process's URL now; undefined while it is down. */
  urls: Array<string | undefined>;
  /** URLs of processes that were killed: a connection error from one of them is expected. */
  killed: Set<string>;
  /** Told each time a request has been handed to process `index` (and not yet answered). */
  sent?: (index: number) => void;
}

export interface LoadFigures {
  /** Payments whose three requests each succeeded the first time. */
  firstTry: number;
  /** Requests sent again, by the step that failed. */
  retried: { creating: number; challenging: number; answering: number };
  /** An answer posted again was paid (its first post never committed) or REPLAYED (it had). */
  answerRetriedPaid: number;
  answerRetriedReplayed: number;
  /** Failures seen: connections to a killed process, 503 UNREACHABLE answers. */
  connectionErrors: number;
  unreachable: number;
  /** A live process's kept-alive connection closed under a request (sent again). */
  closedKeepAlive: number;
  /** The longest a failed request took to fail, in ms (a hang would show here). */
  slowestFailureMs: number;
}

export function emptyFigures(): LoadFigures {
  return {
    firstTry: 0,
    retried: { creating: 0, challenging: 0, answering: 0 },
    answerRetriedPaid: 0,
    answerRetriedReplayed: 0,
    connectionErrors: 0,
    unreachable: 0,
    closedKeepAlive: 0,
    slowestFailureMs: 0,
  };
}

export interface LoadOptions {
  paymentsPerLane: number;
  amountOf: (lane: number, n: number) => number;
  /** Called after each payment is known to be paid. */
  onPaid?: () => void;
  /** A step still failing after this long fails the load (a process that never comes back). */
  stepDeadlineMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Step = keyof LoadFigures['retried'];

export async function runLoad(w: World, procs: Processes, o: LoadOptions, f: LoadFigures): Promise<Attempt[]> {
  const attempts: Attempt[] = [];
  const deadlineMs = o.stepDeadlineMs ?? 30_000;
  const count = procs.urls.length;

  /** `call` with the client of process `first`, again on failures the load expects. */
  async function send<T>(
    lane: number,
    step: Step,
    first: number,
    mark: { retried: boolean },
    call: (c: CheckoutClient, retry: boolean) => Promise<T>,
  ): Promise<T> {
    let p = first % count;
    const deadline = Date.now() + deadlineMs;
    for (let tries = 0; ; tries++) {
      const url = procs.urls[p] ?? procs.urls.find((u) => u !== undefined);
      if (url === undefined) {
        if (Date.now() > deadline) throw new Error(`${step}: no checkout process up for ${deadlineMs} ms`);
        await sleep(50);
        continue;
      }
      const started = performance.now();
      try {
        const answer = call(terminalClient(url, w, lane), tries > 0);
        procs.sent?.(procs.urls.indexOf(url));
        return await answer;
      } catch (e) {
        f.slowestFailureMs = Math.max(f.slowestFailureMs, Math.round(performance.now() - started));
        if (Date.now() > deadline) throw e;
        if (e instanceof CheckoutUnreachableError && procs.killed.has(url)) {
          f.connectionErrors += 1;
        } else if (e instanceof CheckoutUnreachableError && e.code === 'UND_ERR_SOCKET') {
          // A live process closed a kept-alive connection as the request went out on it (its
          // idle timeout, when a busy machine delays the client's own): as a till, send again.
          // A process that crashed would refuse connections instead, and not stop with 0.
          f.closedKeepAlive += 1;
        } else if (e instanceof CheckoutHttpError && e.httpStatus === 503 && e.statusName === 'UNREACHABLE') {
          if (!(e.retryAfterSeconds !== undefined && e.retryAfterSeconds >= 1))
            throw new Error(`503 UNREACHABLE without Retry-After: ${e.message}`);
          f.unreachable += 1;
          await sleep(e.retryAfterSeconds * 1000);
        } else throw e;
        if (tries === 0) f.retried[step] += 1;
        mark.retried = true;
        p = (p + 1) % count;
      }
    }
  }

  async function pay(a: Attempt, turn: number): Promise<void> {
    const band = w.lanes[a.lane].band;
    const trade = { outTradeNo: a.outTradeNo, amount: a.amount, currency: 'CNY', subject: 'scale test' };
    const mark = { retried: false };
    await send(a.lane, 'creating', turn, mark, (c) => c.createTrade(trade));
    a.state = 'challenging';
    const ch = await send(a.lane, 'challenging', turn + 1, mark, (c) => c.payWithBand(a.outTradeNo, band.hello()));
    // Button pressed: many small payments would otherwise pass the password-free day limit.
    a.answer = band.pay(band.open(ch.message), { confirmed: true });
    a.challengeId = ch.challengeId;
    a.state = 'answering';
    const answered = { retried: false };
    const receipt = await send(a.lane, 'answering', turn + 2, answered, async (c, retry) => {
      try {
        return (await c.answer(ch.challengeId, a.answer as Uint8Array)).receipt;
      } catch (e) {
        if (retry && e instanceof CheckoutHttpError && e.statusName === 'REPLAYED') return undefined;
        throw e;
      }
    });
    if (receipt === undefined) {
      f.answerRetriedReplayed += 1;
      const q = await send(a.lane, 'answering', turn, answered, (c) => c.queryTrade(a.outTradeNo));
      if (q.trade.status !== 'TRADE_SUCCESS' || q.payment?.amount !== a.amount)
        throw new Error(`${a.outTradeNo}: answer REPLAYED but the trade is ${q.trade.status}`);
    } else if (answered.retried) f.answerRetriedPaid += 1;
    if (!mark.retried && !answered.retried) f.firstTry += 1;
    a.receipt = receipt;
    a.state = 'paid';
    o.onPaid?.();
  }

  await Promise.all(
    w.lanes.map(async (_, lane) => {
      for (let n = 0; n < o.paymentsPerLane; n++) {
        const a: Attempt = { outTradeNo: `L${lane}-${n}`, amount: o.amountOf(lane, n), lane, state: 'creating' };
        attempts.push(a);
        await pay(a, lane + n);
      }
    }),
  );
  return attempts;
}
