/**
 * Power cuts during a payment, through the simulator (the real image in QuickJS, the
 * bridge over noble's websocket bindings, the real checkout): at every flash step of the
 * payment commit — a regular commit on band 1 (16 × 4 KiB flash), and a compaction on band
 * 2 (4 × 256-byte pages, so the journal compacts every few payments) — in each cut style.
 * See power-cut.ts for what each case does and checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CutStyle } from '../../firmware/testenv/flash-emulator.ts';
import { startFleet, type Fleet } from '../../harness/load/sim-fleet.ts';
import { LedgerAudit } from '../../harness/adversarial/ledger-audit.ts';
import {
  beforeNextCompaction,
  compactionShape,
  cutDuringPayment,
  logFlashOps,
  payOnce,
  type CutCase,
  type FlashOp,
} from './power-cut.ts';

const STYLES: CutStyle[] = ['none', 'partial', 'complete'];
const SMALL = { pageSize: 256, pageCount: 4 };

let f: Fleet;
let audit: LedgerAudit;
const logs: FlashOp[][] = [];

beforeAll(async () => {
  f = await startFleet({ bands: 2, bridgesPerSim: 1, flash: (i) => (i === 1 ? SMALL : undefined) });
  audit = new LedgerAudit(() => f.h.checkout.store);
  for (const b of f.bands) logs.push(logFlashOps(b));
}, 60_000);

afterAll(async () => {
  await f?.close();
});

/** What every case must show, cut or not. */
async function holds(c: CutCase, label: string): Promise<void> {
  expect(c.counterAfterReboot, `${label}: the counter went back`).toBeGreaterThanOrEqual(c.counterBefore);
  expect(c.counterAfterReboot, `${label}: the counter is neither old nor new`).toBeLessThanOrEqual(c.counterBefore + 1);
  expect(c.paymentsForTrade, `${label}: not charged exactly once`).toBe(1);
  if (c.reset) {
    expect(c.beforeReset, label).not.toBe('ACCEPTED');
    expect(c.paidCounter, `${label}: the retry reused a counter`).toBeGreaterThan(c.counterAfterReboot - 1);
    expect(c.paidCounter).toBeGreaterThan(c.counterBefore);
    expect(c.repost, `${label}: a captured answer was accepted twice`).toBe('REPLAYED');
  }
  expect(['REPLAYED', 'TRADE_CLOSED', 'not signed'], `${label}: the old challenge paid again`).toContain(
    c.oldChallenge,
  );
  expect(await audit.problems(), label).toEqual([]);
}

describe('a power cut during a payment, through the simulator', () => {
  it('a regular commit takes two flash programs; a cut at each of them (and one step past) in every style', async () => {
    const b = f.bands[0];
    const ops = await payOnce(b, audit, logs[0]);
    expect(ops.map((o) => o.op)).toEqual(['program', 'program']);
    const cases: CutCase[] = [];
    for (let step = 1; step <= ops.length + 1; step++) {
      for (const style of STYLES) {
        const c = await cutDuringPayment(f, b, audit, logs[0], 8, step, style);
        await holds(c, `regular commit, step ${step}, ${style}`);
        cases.push(c);
      }
    }
    // Steps 1 and 2 hit the commit and reset the band; step 3 is past it (an ordinary payment).
    expect(cases.map((c) => c.reset)).toEqual([true, true, true, true, true, true, false, false, false]);
    expect(cases.filter((c) => c.reset).every((c) => !c.compaction)).toBe(true);
    // A cut before the commit word is programmed keeps the old counter; 'complete' at the
    // commit word keeps the new one. Either way the retry signs above both.
    expect(cases.filter((c) => c.step === 1).map((c) => c.counterAfterReboot - c.counterBefore)).toEqual([0, 0, 0]);
  });

  it('a compaction (the small-flash band): a cut at each of its flash steps in every style', async () => {
    const b = f.bands[1];
    const shape = await compactionShape(b, audit, logs[1], SMALL.pageCount / 2);
    expect(shape.ops).toBeGreaterThan(2);
    const hit: string[] = [];
    for (let step = 1; step <= shape.ops; step++) {
      for (const style of STYLES) {
        await beforeNextCompaction(b, audit, logs[1], SMALL.pageCount / 2, shape.period);
        const c = await cutDuringPayment(f, b, audit, logs[1], SMALL.pageCount / 2, step, style);
        await holds(c, `compaction, step ${step}, ${style}`);
        if (c.reset && c.compaction) hit.push(`${step}/${style}`);
      }
    }
    // Every step of the compaction was hit in every style.
    expect(hit.length).toBe(shape.ops * STYLES.length);
  });
});
