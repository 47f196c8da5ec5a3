/**
 * Checkout throughput (issue 6): payments verified and committed to the SQLite ledger per
 * second on one core, from sealed ANSWER in to ledger row out, through `Checkout.answer` —
 * the library call behind `POST /v1/challenges/:id/answer` (HPKE open of the answer, token
 * verify, claim and counter checks, the payment transaction, the sealed RESULT). Trades,
 * challenges and the bands' answers are prepared first and not timed. Then the crypto
 * floor of the same run (checkout-floor.ts) and, optionally, the same payments over HTTP.
 *
 * The timed slices drive `lanes` tills at once, as a checkout serving a merchant base sees
 * them: each lane answers its own band's payments one after another (a card's counters
 * arrive in order), and the lanes' answers interleave in the one Node process, on one
 * core. Answers that reach the ledger in the same event-loop turn share one SQLite commit
 * (group commit, checkout/sqlite/group-commit.ts), each still atomic on its own and
 * acknowledged only after the commit. The same run also times one till alone
 * (`sequentialPaymentsPerSecond`): one answer at a time, nothing to share a commit with,
 * which is a lone payment's latency. Each round starts with an untimed warm-up of payments, as
 * `measure()` warms up before timing the floor: the floor's burst of short-lived crypto
 * objects slowed whichever slice ran next by ~15%, which the payments alone paid before.
 *
 * Result keys (BenchResults.checkout):
 * - paymentsPerSecond: the best of `rounds` slices of `payments` answers each, `lanes` tills at once
 * - sequentialPaymentsPerSecond: the best of as many slices of one till alone
 * - cryptoFloorPerSecond: ephemeral key + ECDH, AEAD seal + open, ECDSA verify (node:crypto)
 * - floorRatio: paymentsPerSecond / cryptoFloorPerSecond (target ≥ 0.7); sequentialFloorRatio likewise
 * - answerCryptoFloorPerSecond, answerFloorRatio: the floor of the timed path alone
 *   (AEAD open + AEAD seal + ECDSA verify; no ECDH, which issuing the challenge does)
 * - httpPaymentsPerSecond: through HTTP on loopback, 4 concurrent terminals' connections
 */
import { createNodeProvider } from '../../shared/crypto/node-provider.ts';
import { benchCryptoFloor, floorSizesOf } from './checkout-floor.ts';
import { benchCheckoutHttp } from './checkout-http.ts';
import { type BenchCheckout, type PreparedPayment, openBenchCheckout } from './checkout-setup.ts';

export interface CheckoutBenchOptions {
  /** Answers per timed slice (all lanes together): enough that each slice holds WAL checkpoints (one per ~1,000 pages). */
  payments: number;
  /** Rounds of (untimed warm-up, one slice with all lanes, one slice of one till alone, one floor measurement); the best of each is reported. */
  rounds: number;
  /** Tills answering at once in `paymentsPerSecond`'s slices. */
  lanes: number;
  /** Payments per lane per HTTP slice; 0 skips HTTP. */
  httpPerLane: number;
  floorMs: number;
}

export const checkoutBenchSizes = {
  quick: { payments: 250, rounds: 8, lanes: 4, httpPerLane: 100, floorMs: 120 },
  normal: { payments: 500, rounds: 10, lanes: 4, httpPerLane: 250, floorMs: 300 },
  long: { payments: 1000, rounds: 16, lanes: 4, httpPerLane: 1000, floorMs: 600 },
} satisfies Record<string, CheckoutBenchOptions>;

const HTTP_LANES = 4;
const WARM_UP = 100;
const round2 = (x: number) => Math.round(x * 100) / 100;
const count = (lists: PreparedPayment[][]) => lists.reduce((n, l) => n + l.length, 0);

/** Payments per second of one slice: every list answered at once, each in its own order (a card's counters rise in it). */
export async function timeAnswers(bc: BenchCheckout, lists: PreparedPayment[][]): Promise<number> {
  const answerAll = async (list: PreparedPayment[]): Promise<void> => {
    for (const p of list) {
      const out = await bc.checkout.answer(p.challengeId, p.answer, bc.terminals[p.lane]);
      if (!out.receipt || out.receipt.amount !== p.amount) throw new Error('bench: payment not recorded');
    }
  };
  const start = performance.now();
  await Promise.all(lists.map(answerAll));
  return (count(lists) * 1000) / (performance.now() - start);
}

/**
 * What one round answers, in this order: an untimed warm-up with all lanes, then the timed
 * slice with all lanes at once, then the timed slice of one till alone.
 */
interface Round {
  warmUp: PreparedPayment[][];
  lanes: PreparedPayment[][];
  alone: PreparedPayment[];
}

export async function benchCheckout(opts: CheckoutBenchOptions): Promise<Record<string, number>> {
  const provider = createNodeProvider();
  const lanes = Math.max(opts.lanes, opts.httpPerLane > 0 ? HTTP_LANES : 1);
  const bc = await openBenchCheckout(provider, lanes);
  try {
    const { checkout } = bc;
    const before = (await checkout.store.ledger.counts()).payments;
    // Prepared in the order they are answered: each band's counters must rise in that order.
    const first = await bc.prepare(WARM_UP, 0);
    const rounds: Round[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      rounds.push({
        warmUp: await bc.prepareLanes(Math.ceil(WARM_UP / opts.lanes), opts.lanes),
        lanes: await bc.prepareLanes(Math.ceil(opts.payments / opts.lanes), opts.lanes),
        alone: await bc.prepare(opts.payments, 0),
      });
    }
    const timed = (lists: PreparedPayment[][]): Promise<number> => timeAnswers(bc, lists);
    await timed([first]);
    // Payments and floor alternate, so both see the same machine (it is shared and drifts).
    const sizes = floorSizesOf(first[0].challenge, first[0].answer);
    const best = { together: 0, alone: 0 };
    const floor = { full: 0, answer: 0 };
    for (const round of rounds) {
      // Untimed, as measure() warms up before timing the floor: the floor's burst of crypto
      // objects otherwise slows whatever runs next (~15% on the following slice, measured).
      await timed(round.warmUp);
      best.together = Math.max(best.together, await timed(round.lanes));
      best.alone = Math.max(best.alone, await timed([round.alone]));
      const f = benchCryptoFloor(sizes, opts.floorMs);
      floor.full = Math.max(floor.full, f.full);
      floor.answer = Math.max(floor.answer, f.answer);
    }
    const answered = first.length + rounds.reduce((n, r) => n + count(r.warmUp) + count(r.lanes) + r.alone.length, 0);
    const after = (await checkout.store.ledger.counts()).payments;
    if (after - before !== answered) throw new Error(`bench: ${answered} answers but ${after - before} ledger rows`);
    const paymentsPerSecond = Math.round(best.together);
    const sequentialPaymentsPerSecond = Math.round(best.alone);
    const out: Record<string, number> = {
      paymentsPerSecond,
      lanes: opts.lanes,
      sequentialPaymentsPerSecond,
      cryptoFloorPerSecond: floor.full,
      floorRatio: round2(paymentsPerSecond / floor.full),
      sequentialFloorRatio: round2(sequentialPaymentsPerSecond / floor.full),
      answerCryptoFloorPerSecond: floor.answer,
      answerFloorRatio: round2(paymentsPerSecond / floor.answer),
    };
    if (opts.httpPerLane > 0) out.httpPaymentsPerSecond = await benchCheckoutHttp(bc, HTTP_LANES, opts.httpPerLane);
    return out;
  } finally {
    await bc.close();
  }
}
