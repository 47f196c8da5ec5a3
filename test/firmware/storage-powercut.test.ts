/**
 * Power cuts at every flash step. (a) a scripted sequence of updates, each cut at every
 * program/erase step k, in every cut style; (b) a counter workload cut at every pair of steps.
 */
import { describe, expect, it } from 'vitest';
import { FlashEmulator, type CutStyle } from '../../firmware/testenv/flash-emulator.ts';
import { Journal, type JournalOptions, type RecordUpdate } from '../../firmware/storage/index.ts';
import { Status } from '../../shared/status/codes.ts';

const OPTS: JournalOptions = { maxValueSize: 64, maxRecordId: 8 };
const fill = (n: number, v: number) => new Uint8Array(n).fill(v & 0xff);
const hex = (v: Uint8Array | null | undefined) => (v ? Buffer.from(v).toString('hex') : 'null');

function reopen(flash: FlashEmulator): Journal {
  const r = Journal.open(flash, OPTS);
  if (!r.ok) throw new Error(`open failed: ${r.detail}`);
  return r.value;
}

type Model = Map<number, string>; // id → hex of value ('null' when absent)
function apply(m: Model, u: RecordUpdate[]): Model {
  const n = new Map(m);
  for (const { id, value } of u) n.set(id, hex(value));
  return n;
}
const IDS = [1, 2, 3, 4, 5, 6, 7, 8];
const view = (j: Journal): Model => new Map(IDS.map((id) => [id, hex(j.get(id))]));

/** A script that exercises appends, page changes, removals, multi-record updates and compactions. */
function script(): RecordUpdate[][] {
  const s: RecordUpdate[][] = [
    [{ id: 1, value: fill(40, 1) }],
    [
      { id: 2, value: fill(60, 2) },
      { id: 3, value: fill(4, 0) },
    ],
  ];
  for (let i = 1; i <= 14; i++)
    s.push([
      { id: 3, value: fill(4, i) },
      { id: 4, value: fill(8, i) },
    ]);
  s.push([{ id: 2, value: null }]);
  s.push([
    { id: 5, value: fill(64, 5) },
    { id: 6, value: fill(30, 6) },
    { id: 1, value: null },
  ]);
  for (let i = 15; i <= 22; i++)
    s.push([
      { id: 3, value: fill(4, i) },
      { id: 4, value: fill(8, i) },
      { id: 7, value: fill(i, i) },
    ]);
  s.push([{ id: 8, value: new Uint8Array(0) }]);
  return s;
}

describe('(a) a cut at every step of every update', () => {
  it('shows old or new for every record, never a mix within an update, and stays writable', () => {
    const flash = new FlashEmulator({ pageSize: 256, pageCount: 4, seed: 11 });
    const steps = script();
    let model: Model = new Map(IDS.map((id) => [id, 'null']));
    let cases = 0;
    let compactingSteps = 0;
    for (const update of steps) {
      const before = flash.snapshot();
      const next = apply(model, update);
      // Count the operations of a reboot plus this update, uncut.
      const ops0 = flash.operations;
      const j0 = reopen(flash);
      const c0 = j0.compactions;
      expect(j0.putMany(update).ok).toBe(true);
      if (j0.compactions > c0) compactingSteps++;
      const n = flash.operations - ops0;
      const after = flash.snapshot();
      for (let k = 1; k <= n; k++) {
        for (const style of ['random', 'none', 'partial', 'complete'] as CutStyle[]) {
          flash.restore(before);
          flash.cutPowerAfter(k, style);
          const opened = Journal.open(flash, OPTS);
          if (opened.ok) expect(opened.value.putMany(update)).toMatchObject({ ok: false, status: Status.INTERNAL });
          expect(flash.isPowered).toBe(false);
          flash.restorePower();
          const j = reopen(flash);
          expect(j.status()).toBe(Status.OK);
          const seen = view(j);
          const isOld = update.every(({ id }) => seen.get(id) === model.get(id));
          const isNew = update.every(({ id }) => seen.get(id) === next.get(id));
          expect(isOld || isNew, `update ${steps.indexOf(update)} cut at ${k} (${style})`).toBe(true);
          for (const id of IDS) if (!update.some((u) => u.id === id)) expect(seen.get(id)).toBe(model.get(id));
          // Still usable: redo the update, reboot, see it.
          expect(j.putMany(update).ok).toBe(true);
          expect(view(reopen(flash))).toEqual(next);
          cases++;
        }
      }
      flash.restore(after);
      model = next;
    }
    expect(view(reopen(flash))).toEqual(model);
    expect(compactingSteps).toBeGreaterThanOrEqual(3);
    expect(cases).toBeGreaterThan(200);
  });
});

describe('(b) every pair of cuts in a counter workload', () => {
  const AMOUNT = 7;
  const TARGET = 40;
  const u32 = (v: Uint8Array | null) => (v ? new DataView(v.buffer, v.byteOffset).getUint32(0, true) : 0);
  const enc = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    return b;
  };

  interface Ledger {
    /** Counter values whose commit returned ok (a signature with this counter left the band). */
    reported: number[];
  }

  /**
   * Boot and run the workload (commit counter + 1 with the day total) until the counter reaches
   * TARGET or the power fails. Checks the invariants at boot and at every commit.
   */
  function run(flash: FlashEmulator, ledger: Ledger): 'done' | 'cut' {
    const opened = Journal.open(flash, OPTS);
    if (!opened.ok) return 'cut';
    const j = opened.value;
    expect(j.status()).toBe(Status.OK);
    const high = ledger.reported.length ? ledger.reported[ledger.reported.length - 1] : 0;
    for (;;) {
      const counter = u32(j.get(3));
      const day = u32(j.get(4));
      expect(counter).toBeGreaterThanOrEqual(high); // never goes back
      expect(day).toBe(counter * AMOUNT); // counter and day total never mixed
      if (counter >= TARGET) return 'done';
      const r = j.putMany([
        { id: 3, value: enc(counter + 1) },
        { id: 4, value: enc(day + AMOUNT) },
      ]);
      if (!r.ok) return 'cut';
      const last = ledger.reported.length ? ledger.reported[ledger.reported.length - 1] : 0;
      expect(counter + 1).toBeGreaterThan(last); // never repeats a reported value
      ledger.reported.push(counter + 1);
    }
  }

  it('counter never goes back, never repeats a reported value, never mixes with the day total', () => {
    const flash = new FlashEmulator({ pageSize: 256, pageCount: 4, seed: 23 });
    const boot = reopen(flash);
    expect(boot.put(1, fill(48, 1)).ok).toBe(true); // a config record that must survive compactions
    const initial = flash.snapshot();
    const opsOf = (ledger: Ledger) => {
      const o = flash.operations;
      expect(run(flash, ledger)).toBe('done');
      return flash.operations - o;
    };
    const total = opsOf({ reported: [] });
    expect(total).toBeGreaterThan(60);
    let scenarios = 0;
    for (let i = 1; i <= total; i++) {
      flash.restore(initial);
      const ledger1: Ledger = { reported: [] };
      flash.cutPowerAfter(i);
      expect(run(flash, ledger1)).toBe('cut');
      flash.restorePower();
      const afterFirst = flash.snapshot();
      const rest = opsOf({ reported: [...ledger1.reported] });
      for (let k = 1; k <= rest; k++) {
        flash.restore(afterFirst);
        const ledger: Ledger = { reported: [...ledger1.reported] };
        flash.cutPowerAfter(k);
        expect(run(flash, ledger)).toBe('cut');
        flash.restorePower();
        expect(run(flash, ledger)).toBe('done');
        const j = reopen(flash);
        expect(u32(j.get(3))).toBe(TARGET);
        expect(j.get(1)).toEqual(fill(48, 1));
        scenarios++;
      }
    }
    expect(scenarios).toBeGreaterThan(1000);
  });
});
