/**
 * What durable acknowledgements cost (issue 11, finding 12): the ledger runs SQLite with
 * `synchronous = FULL`, so every commit is fsynced before a payment is acknowledged; under
 * `NORMAL` (WAL) a host power loss could undo payments a terminal was told succeeded
 * (https://sqlite.org/pragma.html#pragma_synchronous). Two bench checkouts on two files in
 * the same temp filesystem, one as shipped (FULL) and one switched to NORMAL after opening,
 * answer the same kind of prepared payments in alternating slices, so both see the same
 * machine: 4 tills at once (answers of one event-loop turn share a commit, so they share its
 * fsync) and one till alone (one fsync per payment). Best slice of each.
 *
 * Result keys (BenchResults.checkout.durability…):
 * - fullPaymentsPerSecond / normalPaymentsPerSecond: 4 tills at once
 * - fullSequentialPaymentsPerSecond / normalSequentialPaymentsPerSecond: one till alone
 * - fullCostRatio / fullSequentialCostRatio: FULL as a fraction of NORMAL (1 = free)
 */
import { createNodeProvider } from '../../shared/crypto/node-provider.ts';
import type { SqliteStore } from '../../checkout/sqlite/store.ts';
import { timeAnswers } from './checkout.ts';
import { type BenchCheckout, type PreparedPayment, openBenchCheckout } from './checkout-setup.ts';

export interface DurabilityBenchOptions {
  payments: number;
  rounds: number;
  lanes: number;
}

export const durabilityBenchSizes = {
  quick: { payments: 200, rounds: 3, lanes: 4 },
  normal: { payments: 400, rounds: 5, lanes: 4 },
  long: { payments: 800, rounds: 8, lanes: 4 },
} satisfies Record<string, DurabilityBenchOptions>;

interface Side {
  bc: BenchCheckout;
  together: number;
  alone: number;
}
interface Slice {
  lanes: PreparedPayment[][];
  alone: PreparedPayment[][];
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export async function benchDurability(opts: DurabilityBenchOptions): Promise<Record<string, number>> {
  const provider = createNodeProvider();
  const full: Side = { bc: await openBenchCheckout(provider, opts.lanes), together: 0, alone: 0 };
  const normal: Side = { bc: await openBenchCheckout(provider, opts.lanes), together: 0, alone: 0 };
  try {
    const db = (normal.bc.checkout.store as SqliteStore).db;
    db.pragma('synchronous = NORMAL');
    if (db.pragma('synchronous', { simple: true }) !== 1) throw new Error('bench: synchronous = NORMAL did not take');
    if ((full.bc.checkout.store as SqliteStore).db.pragma('synchronous', { simple: true }) !== 2)
      throw new Error('bench: the shipped ledger is not synchronous = FULL');
    const prepare = async (s: Side): Promise<Slice[]> => {
      const out: Slice[] = [];
      for (let r = 0; r < opts.rounds; r++) {
        out.push({
          lanes: await s.bc.prepareLanes(Math.ceil(opts.payments / opts.lanes), opts.lanes),
          alone: [await s.bc.prepare(opts.payments / 4, 0)],
        });
      }
      return out;
    };
    const slices = new Map<Side, Slice[]>([
      [full, await prepare(full)],
      [normal, await prepare(normal)],
    ]);
    for (let r = 0; r < opts.rounds; r++) {
      // Alternating, and the first of each pair swapped every round, so neither side always runs first.
      const order = r % 2 === 0 ? [full, normal] : [normal, full];
      for (const s of order)
        s.together = Math.max(s.together, await timeAnswers(s.bc, (slices.get(s) as Slice[])[r].lanes));
      for (const s of order) s.alone = Math.max(s.alone, await timeAnswers(s.bc, (slices.get(s) as Slice[])[r].alone));
    }
    return {
      fullPaymentsPerSecond: Math.round(full.together),
      normalPaymentsPerSecond: Math.round(normal.together),
      fullCostRatio: round2(full.together / normal.together),
      fullSequentialPaymentsPerSecond: Math.round(full.alone),
      normalSequentialPaymentsPerSecond: Math.round(normal.alone),
      fullSequentialCostRatio: round2(full.alone / normal.alone),
    };
  } finally {
    await full.bc.close();
    await normal.bc.close();
  }
}
