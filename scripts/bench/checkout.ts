/**
 * Checkout throughput (issue 6): payments verified and committed to the SQLite ledger per
 * second on one core, from sealed ANSWER in to ledger row out, through `Checkout.answer` —
 * the library call behind `POST /v1/challenges/:id/answer` (HPKE open of the answer, token
 * verify, claim and counter checks, the payment transaction, the sealed RESULT). Trades,
 * challenges and the bands' answers are prepared first and not timed. Then the crypto
 * floor of the same run (checkout-floor.ts) and, optionally, the same payments over HTTP.
 *
 * Result keys (BenchResults.checkout):
 * - paymentsPerSecond: the best of `rounds` slices of `payments` answers each, in counter order
 * - cryptoFloorPerSecond: ephemeral key + ECDH, AEAD seal + open, ECDSA verify (node:crypto)
 * - floorRatio: paymentsPerSecond / cryptoFloorPerSecond (target ≥ 0.7)
 * - answerCryptoFloorPerSecond, answerFloorRatio: the floor of the timed path alone
 *   (AEAD open + AEAD seal + ECDSA verify; no ECDH, which issuing the challenge does)
 * - httpPaymentsPerSecond: through HTTP on loopback, 4 concurrent terminals' connections
 */
import { decodeMessageOf } from '../../shared/messages/index.ts';
import { createNodeProvider } from '../../shared/crypto/node-provider.ts';
import { benchCryptoFloor } from './checkout-floor.ts';
import { benchCheckoutHttp } from './checkout-http.ts';
import { PreparedPayment, openBenchCheckout } from './checkout-setup.ts';

export interface CheckoutBenchOptions {
  /** Answers per timed slice: enough that each slice holds WAL checkpoints (one per ~100 commits). */
  payments: number;
  /** Rounds of (one payments slice, one floor measurement); the best of each is reported. */
  rounds: number;
  /** Payments per lane per HTTP slice; 0 skips HTTP. */
  httpPerLane: number;
  floorMs: number;
}

export const checkoutBenchSizes = {
  quick: { payments: 250, rounds: 8, httpPerLane: 100, floorMs: 120 },
  normal: { payments: 500, rounds: 10, httpPerLane: 250, floorMs: 300 },
  long: { payments: 1000, rounds: 16, httpPerLane: 1000, floorMs: 600 },
} satisfies Record<string, CheckoutBenchOptions>;

const HTTP_LANES = 4;
const WARM_UP = 100;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** The sizes the floor is measured at: this run's real challenge, answer and result. */
function sizesOf(p: PreparedPayment) {
  const ch = decodeMessageOf(p.challenge, 'challenge');
  const an = decodeMessageOf(p.answer, 'answer');
  if (!ch.ok || !an.ok) throw new Error('bench: prepared messages do not decode');
  const answerPlain = an.value.sealed.length - 32 - 16;
  return { challenge: ch.value.ct.length - 16, answer: answerPlain, result: 24, signed: answerPlain };
}

export async function benchCheckout(opts: CheckoutBenchOptions): Promise<Record<string, number>> {
  const provider = createNodeProvider();
  const bc = await openBenchCheckout(provider, opts.httpPerLane > 0 ? HTTP_LANES : 1);
  try {
    const { checkout, terminal } = bc;
    const before = (await checkout.store.ledger.counts()).payments;
    const prepared = await bc.prepare(WARM_UP + opts.rounds * opts.payments);
    const run = async (list: PreparedPayment[]): Promise<void> => {
      for (const p of list) {
        const out = await checkout.answer(p.challengeId, p.answer, terminal);
        if (!out.receipt || out.receipt.amount !== p.amount) throw new Error('bench: payment not recorded');
      }
    };
    await run(prepared.slice(0, WARM_UP));
    // Payments and floor alternate, so both see the same machine (it is shared and drifts).
    const sizes = sizesOf(prepared[0]);
    let best = 0;
    const floor = { full: 0, answer: 0 };
    for (let r = 0; r < opts.rounds; r++) {
      const slice = prepared.slice(WARM_UP + r * opts.payments, WARM_UP + (r + 1) * opts.payments);
      const start = performance.now();
      await run(slice);
      best = Math.max(best, (slice.length * 1000) / (performance.now() - start));
      const f = benchCryptoFloor(sizes, opts.floorMs);
      floor.full = Math.max(floor.full, f.full);
      floor.answer = Math.max(floor.answer, f.answer);
    }
    const after = (await checkout.store.ledger.counts()).payments;
    if (after - before !== prepared.length) throw new Error(`bench: ${prepared.length} answers but ${after - before} ledger rows`);
    const paymentsPerSecond = Math.round(best);
    const out: Record<string, number> = {
      paymentsPerSecond,
      cryptoFloorPerSecond: floor.full,
      floorRatio: round2(paymentsPerSecond / floor.full),
      answerCryptoFloorPerSecond: floor.answer,
      answerFloorRatio: round2(paymentsPerSecond / floor.answer),
    };
    if (opts.httpPerLane > 0) out.httpPaymentsPerSecond = await benchCheckoutHttp(bc, HTTP_LANES, opts.httpPerLane);
    return out;
  } finally {
    await bc.close();
  }
}
