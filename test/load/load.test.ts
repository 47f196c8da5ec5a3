/**
 * Load, bounded for CI: 20 simulated bands (two simulators) each paying 5 times, all at
 * once, through four bridges (noble websocket transports) and one checkout. The full size
 * (200 × 20) runs with `npm run bench -- --long`. See load-run.ts for the checks.
 */
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../harness/load/load-run.ts';

describe('load: bands paying concurrently through several bridges into one checkout', () => {
  it('20 bands × 5 payments: nothing lost or doubled, counters strictly increasing, totals agree', async () => {
    const r = await runLoad({ bands: 20, payments: 5 });
    expect(r.simulators).toBe(2);
    expect(r.bridges).toBe(4);
    expect(r.refused).toEqual({});
    expect(r.approved).toBe(100);
    expect(r.ledger).toMatchObject({ rows: 100, lost: 0, phantom: 0, duplicates: 0, counterViolations: 0 });
    expect(r.ledger.total).toBe(r.ledger.approvedTotal);
    expect(r.ledger.total).toBe(r.ledger.paidTradesTotal);
    expect(r.problems).toEqual([]);
  }, 60_000);
});
