/**
 * Load as a bench section (harness/load/load-run.ts): simulated bands paying concurrently
 * through one checkout and several bridges. --quick: the CI size (20 bands × 5 payments);
 * default: 50 × 10; --long: 200 × 20.
 */
import { runLoad, type LoadResult } from '../../harness/load/load-run.ts';

export async function benchLoad(opts: { quick: boolean; long: boolean }): Promise<LoadResult> {
  const size = opts.long
    ? { bands: 200, payments: 20 }
    : opts.quick
      ? { bands: 20, payments: 5 }
      : { bands: 50, payments: 10 };
  return runLoad(size);
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function renderLoad(r: LoadResult): string {
  const l = r.ledger;
  const refused =
    Object.entries(r.refused)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || 'none';
  const rows: Array<[string, string]> = [
    ['bands × payments each', `${r.bands} × ${r.paymentsPerBand}`],
    ['simulators / bridges', `${r.simulators} / ${r.bridges}`],
    ['approved', fmt(r.approved)],
    ['refused', refused],
    ['ledger rows', fmt(l.rows)],
    ['lost / phantom / duplicate rows', `${l.lost} / ${l.phantom} / ${l.duplicates}`],
    ['counter violations (ledger order, receipts, band vs ledger)', String(l.counterViolations)],
    [
      'ledger total = approved = paid trades (fen)',
      `${fmt(l.total)} = ${fmt(l.approvedTotal)} = ${fmt(l.paidTradesTotal)}`,
    ],
    ['throughput (payments/s)', String(r.paymentsPerSecond)],
    ['charge p50 / p99 under this load (ms)', `${fmt(r.p50Ms)} / ${fmt(r.p99Ms)}`],
    [
      'set-up (enroll, card, unlock every band) / payments (s)',
      `${(r.setupMs / 1000).toFixed(1)} / ${(r.elapsedMs / 1000).toFixed(1)}`,
    ],
  ];
  return `| figure | value |\n|---|---:|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}${r.problems.length ? `\n\n**Problems:** ${r.problems.join('; ')}` : ''}`;
}
