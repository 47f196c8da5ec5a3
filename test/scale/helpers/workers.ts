/**
 * `wristpay checkout start --workers N` as the tests run it: the compiled bin (node:cluster
 * forks it again for each worker), its "listening" line naming the workers' pids, and the
 * ledger checks of pg-ledger.ts on a SQLite file.
 */
import { expect } from 'vitest';
import { openStore } from '../../../checkout/open-store.ts';
import { type ChildCheckout, type ChildOptions, startChildCheckout } from '../../hardening/helpers/child-checkout.ts';
import { ledgerProblems, openReader } from '../../hardening/helpers/ledger-check.ts';
import { ledgerVersusAttempts } from './pg-ledger.ts';

export async function startWorkers(db: string, workers: number, options: ChildOptions = {}): Promise<ChildCheckout> {
  return startChildCheckout(db, {
    ...options,
    bin: true,
    args: ['--workers', String(workers), ...(options.args ?? [])],
  });
}

/** The worker pids the primary printed when the service came up. */
export function workerPids(c: ChildCheckout): number[] {
  for (const line of c.stdout()) {
    const m = JSON.parse(line) as { event?: string; workers?: number[] };
    if (m.event === 'listening') return m.workers ?? [];
  }
  return [];
}

/** The pids that wrote a request line to the JSON log (stderr; start the child with keepStderr). */
export function pidsThatServed(c: ChildCheckout): Set<number> {
  const pids = new Set<number>();
  for (const line of c.stderr().split('\n')) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line) as { msg?: string; pid?: number; route?: string };
    if (m.msg === 'request' && m.route?.startsWith('/v1/') && m.pid !== undefined) pids.add(m.pid);
  }
  return pids;
}

/** pg-ledger.ts's expectLedgerMatchesLoad on a SQLite file: invariants, one payment per attempt, totals. */
export async function expectSqliteLedgerMatchesLoad(
  file: string,
  attempts: ReadonlyArray<{ outTradeNo: string; amount: number }>,
  total: number,
): Promise<void> {
  const reader = openReader(file);
  try {
    expect(ledgerProblems(reader)).toEqual([]);
  } finally {
    reader.close();
  }
  const store = await openStore(file);
  try {
    expect(await ledgerVersusAttempts(store, attempts)).toEqual([]);
    const counts = await store.ledger.counts();
    expect(counts.trades).toBe(total);
    expect(counts.payments).toBe(total);
    expect(await store.audit.paidTradesWithoutPayment()).toBe(0);
    expect(await store.audit.paidTradesTotal()).toBe(attempts.reduce((s, a) => s + a.amount, 0));
  } finally {
    await store.close();
  }
}
