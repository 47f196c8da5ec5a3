/**
 * The scale bench section (scripts/bench/scale.ts) end to end at a tiny size: a SQLite
 * checkout, one and two checkouts on a real PostgreSQL, a SQLite checkout with --workers 2,
 * and one with a worker per core paid with answers prepared off the clock, each a process of the compiled CLI
 * (`npm run build:lib` first), paid through by the load generator in its own process. The
 * bench itself throws when a payment goes unacknowledged or a ledger holds more or fewer
 * payments than were acknowledged; here the figures must be there and plausible.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { benchScale } from '../../scripts/bench/scale.ts';
import { renderScale, spliceScale } from '../../scripts/bench/scale-report.ts';
import { needs, requirements } from '../support/requirements.ts';

needs(requirements.postgres).describe('scale bench', () => {
  it('measures sqlite1, postgres1, postgres2, sqlite2 and http beside the crypto floors', {
    timeout: 240_000,
  }, async () => {
    const r = await benchScale({ lanes: 2, sliceMs: 300, slices: 1, floorMs: 30 });
    expect(r.cryptoFloorPerSecond).toBeGreaterThan(0);
    const ratioOf = { sqlite1: r.sqlite1, postgres1: r.postgres1, postgres2: r.postgres2, sqlite2: r.sqlite2 };
    for (const [name, f] of Object.entries(ratioOf)) {
      expect(f.paymentsPerSecond, name).toBeGreaterThan(0);
      expect(f.floorRatio, name).toBe(Math.round((f.paymentsPerSecond / r.cryptoFloorPerSecond) * 1000) / 1000);
      expect(f.checkoutCpuMsPerPayment, name).toBeGreaterThan(0);
      expect(f.payerCpuMsPerPayment, name).toBeGreaterThan(0);
      expect(f.ownCores, name).toBeGreaterThan(0);
    }
    expect([r.sqlite1, r.postgres1, r.postgres2, r.sqlite2].map((f) => f.checkoutProcesses)).toEqual([1, 1, 2, 2]);
    // checkout.http: one worker per core, against the whole payment's floor on every core.
    const cores = availableParallelism();
    expect(r.http.workers).toBe(cores);
    expect(r.http.detail.checkoutProcesses).toBe(cores);
    expect(r.http.processPaymentsPerSecond).toBeGreaterThan(0);
    expect(r.http.paymentFloorPerSecond).toBeGreaterThan(0);
    expect(r.http.floorRatio).toBe(
      Math.round((r.http.processPaymentsPerSecond / (r.http.paymentFloorPerSecond * cores)) * 1000) / 1000,
    );
    expect(r.sqlite1.postgresCpuMsPerPayment).toBe(0);
    expect(r.postgres1.postgresTransactionsPerPayment).toBeGreaterThan(0);
    const section = renderScale(r, 'npm run bench -- --only scale', new Date().toISOString(), 1);
    expect(section).toContain('| scale.postgres2 | two processes');
    expect(section).toContain('| scale.sqlite2 | `--workers 2`');
    expect(section).toContain('checkout.http.processPaymentsPerSecond');
  });
});

describe('scale section of BENCHMARKS.md', () => {
  const section = '## Scale out: SQLite and PostgreSQL\n\nnew figures\n';
  it('replaces the old section and keeps the ones around it', () => {
    const old = '# B\n\n## A\n\na\n\n## Scale out: SQLite and PostgreSQL\n\nold figures\n\n## Hostile relay\n\nr\n';
    expect(spliceScale(old, section)).toBe(
      '# B\n\n## A\n\na\n\n## Scale out: SQLite and PostgreSQL\n\nnew figures\n\n## Hostile relay\n\nr\n',
    );
  });
  it('goes before the hostile relay when the file has none yet', () => {
    expect(spliceScale('# B\n\n## A\n\na\n\n## Hostile relay\n\nr\n', section)).toBe(
      '# B\n\n## A\n\na\n\n## Scale out: SQLite and PostgreSQL\n\nnew figures\n\n## Hostile relay\n\nr\n',
    );
  });
});
