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
 * Each ratio sets a figure beside the crypto floor of exactly what it times (checkout-floor.ts),
 * measured in the same rounds:
 * - paymentsPerSecond: the best of `rounds` slices of `payments` answers each, `lanes` tills at once
 * - sequentialPaymentsPerSecond: the best of as many slices of one till alone
 * - answerCryptoFloorPerSecond: AEAD open + AEAD seal + ECDSA verify, the answer path's own crypto
 * - answerFloorRatio: paymentsPerSecond / answerCryptoFloorPerSecond (target ≥ 0.6);
 *   sequentialAnswerFloorRatio likewise for one till
 * - wholePaymentsPerSecond: whole payments (trade, challenge, answer; checkout-payment.ts), `lanes`
 *   tills at once on a second checkout with production settings, the band double's time taken out
 * - paymentCryptoFloorPerSecond: a whole payment's crypto (hello opened, challenge signed and
 *   sealed with an ephemeral key + ECDH, answer opened, token verified, RESULT sealed)
 * - paymentFloorRatio: wholePaymentsPerSecond / paymentCryptoFloorPerSecond (target ≥ 0.6)
 * - answerCpuMsPerPayment, wholeCpuMsPerPayment: the process's CPU time per payment in those
 *   slices (the band double's time taken out of the whole payments'), and answerCpuFloorRatio,
 *   paymentCpuFloorRatio: the floor's time per payment over it. The wall-clock ratios above also
 *   count the waits for fsync (synchronous = FULL), which the CPU ones leave out.
 * - httpPaymentsPerSecond: through HTTP on loopback, 4 concurrent terminals' connections
 * The former floorRatio (answers against a floor that also counted the challenge's key
 * generation and ECDH, which the answers do not do) is retired.
 */
import { createNodeProvider } from '../../shared/crypto/node-provider.ts';
import { benchAnswerFloor, benchPaymentFloor, floorSizesOf, helloSizeOf } from './checkout-floor.ts';
import { benchCheckoutHttp } from './checkout-http.ts';
import { timeWholePayments } from './checkout-payment.ts';
import { type BenchCheckout, type PreparedPayment, openBenchCheckout } from './checkout-setup.ts';

export interface CheckoutBenchOptions {
  /** Answers per timed slice (all lanes together): enough that each slice holds WAL checkpoints (one per ~1,000 pages). */
  payments: number;
  /** Rounds of (untimed warm-up, one slice with all lanes, one slice of one till alone, one slice of whole payments, the two floors); the best of each is reported. */
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
const round3 = (x: number) => Math.round(x * 1000) / 1000;
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
  // Whole payments on a checkout of their own, as shipped: production TTL and caps.
  const wc = await openBenchCheckout(provider, opts.lanes, false);
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
    const sizes = { ...floorSizesOf(first[0].challenge, first[0].answer), hello: helloSizeOf(bc.hellos[0]) };
    const wholePerLane = Math.ceil(opts.payments / opts.lanes / 2);
    await timeWholePayments(wc, Math.ceil(WARM_UP / opts.lanes), opts.lanes);
    const best = { together: 0, alone: 0, whole: 0 };
    // The process's CPU time per payment (fewest of the rounds): what the payments cost without
    // the waits for fsync, which block the thread but take no CPU.
    const cpu = { together: Number.POSITIVE_INFINITY, whole: Number.POSITIVE_INFINITY };
    const cpuMs = async (n: number, run: () => Promise<number>, besides = () => 0): Promise<[number, number]> => {
      const start = process.cpuUsage();
      const rate = await run();
      const used = process.cpuUsage(start);
      return [rate, ((used.user + used.system) / 1000 - besides()) / n];
    };
    const floor = { answer: 0, payment: 0 };
    for (const round of rounds) {
      // Untimed, as measure() warms up before timing the floor: the floor's burst of crypto
      // objects otherwise slows whatever runs next (~15% on the following slice, measured).
      await timed(round.warmUp);
      const [together, togetherCpu] = await cpuMs(count(round.lanes), () => timed(round.lanes));
      best.together = Math.max(best.together, together);
      cpu.together = Math.min(cpu.together, togetherCpu);
      best.alone = Math.max(best.alone, await timed([round.alone]));
      let bandMs = 0;
      const [whole, wholeCpu] = await cpuMs(
        wholePerLane * opts.lanes,
        async () => {
          const w = await timeWholePayments(wc, wholePerLane, opts.lanes);
          bandMs = w.bandMs;
          return w.perSecond;
        },
        () => bandMs,
      );
      best.whole = Math.max(best.whole, whole);
      cpu.whole = Math.min(cpu.whole, wholeCpu);
      floor.answer = Math.max(floor.answer, benchAnswerFloor(sizes, opts.floorMs));
      floor.payment = Math.max(floor.payment, benchPaymentFloor(sizes, opts.floorMs));
    }
    const answered = first.length + rounds.reduce((n, r) => n + count(r.warmUp) + count(r.lanes) + r.alone.length, 0);
    const after = (await checkout.store.ledger.counts()).payments;
    if (after - before !== answered) throw new Error(`bench: ${answered} answers but ${after - before} ledger rows`);
    const whole = opts.lanes * (Math.ceil(WARM_UP / opts.lanes) + wholePerLane * opts.rounds);
    const paid = (await wc.checkout.store.ledger.counts()).payments;
    if (paid !== whole) throw new Error(`bench: ${whole} whole payments but ${paid} ledger rows`);
    const paymentsPerSecond = Math.round(best.together);
    const sequentialPaymentsPerSecond = Math.round(best.alone);
    const wholePaymentsPerSecond = Math.round(best.whole);
    const out: Record<string, number> = {
      paymentsPerSecond,
      lanes: opts.lanes,
      sequentialPaymentsPerSecond,
      answerCryptoFloorPerSecond: floor.answer,
      answerFloorRatio: round2(paymentsPerSecond / floor.answer),
      sequentialAnswerFloorRatio: round2(sequentialPaymentsPerSecond / floor.answer),
      wholePaymentsPerSecond,
      paymentCryptoFloorPerSecond: floor.payment,
      paymentFloorRatio: round2(wholePaymentsPerSecond / floor.payment),
      answerCpuMsPerPayment: round3(cpu.together),
      answerCpuFloorRatio: round2(1000 / floor.answer / cpu.together),
      wholeCpuMsPerPayment: round3(cpu.whole),
      paymentCpuFloorRatio: round2(1000 / floor.payment / cpu.whole),
    };
    if (opts.httpPerLane > 0) out.httpPaymentsPerSecond = await benchCheckoutHttp(bc, HTTP_LANES, opts.httpPerLane);
    return out;
  } finally {
    await bc.close();
    await wc.close();
  }
}
