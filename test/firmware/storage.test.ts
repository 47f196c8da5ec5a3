import { describe, expect, it } from 'vitest';
import { FlashEmulator, PowerCutError } from '../../firmware/testenv/flash-emulator.ts';
import { Journal, type JournalOptions } from '../../firmware/storage/index.ts';
import { Status } from '../../shared/status/codes.ts';

const OPTS: JournalOptions = { maxValueSize: 64, maxRecordId: 8 };
const bytes = (...xs: number[]) => new Uint8Array(xs);
const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

function open(flash: FlashEmulator, opts: JournalOptions = OPTS): Journal {
  const r = Journal.open(flash, opts);
  if (!r.ok) throw new Error(`open failed: ${r.detail}`);
  return r.value;
}
function must(r: { ok: boolean; detail?: string }): void {
  if (!r.ok) throw new Error(`write failed: ${r.detail}`);
}
const small = () => new FlashEmulator({ pageSize: 256, pageCount: 4, seed: 7 });

describe('Journal basics', () => {
  it('an empty flash opens empty, without writing', () => {
    const f = small();
    const j = open(f);
    expect(j.status()).toBe(Status.OK);
    expect(j.ids()).toEqual([]);
    expect(j.get(1)).toBeNull();
    expect(f.operations).toBe(0);
  });

  it('put/get/remove survive a reboot; get returns copies', () => {
    const f = small();
    const j = open(f);
    const v = bytes(1, 2, 3);
    must(j.put(1, v));
    v[0] = 99; // the journal kept its own copy
    must(j.put(2, new Uint8Array(0)));
    must(j.put(3, bytes(7)));
    must(j.putMany([{ id: 3, value: null }]));
    const got = j.get(1)!;
    got[1] = 42;
    expect(j.get(1)).toEqual(bytes(1, 2, 3));
    const k = open(f);
    expect(k.get(1)).toEqual(bytes(1, 2, 3));
    expect(k.get(2)).toEqual(new Uint8Array(0));
    expect(k.get(3)).toBeNull();
    expect(k.ids()).toEqual([1, 2]);
  });

  it('an update is two program operations; a compaction happens when the group fills', () => {
    const f = small();
    const j = open(f);
    must(j.put(1, bytes(1)));
    const before = f.operations;
    must(
      j.putMany([
        { id: 3, value: bytes(1) },
        { id: 4, value: bytes(2) },
      ]),
    );
    expect(f.operations - before).toBe(2);
    for (let i = 0; i < 40; i++)
      must(
        j.putMany([
          { id: 3, value: fill(8, i) },
          { id: 4, value: fill(8, i) },
        ]),
      );
    expect(j.compactions).toBeGreaterThan(1);
    const k = open(f);
    expect(k.get(3)).toEqual(fill(8, 39));
    expect(k.get(1)).toEqual(bytes(1));
  });

  it('refuses bad updates without writing', () => {
    const f = small();
    const j = open(f);
    const ops = f.operations;
    expect(j.put(0, bytes(1))).toMatchObject({ ok: false, status: Status.MALFORMED });
    expect(j.put(9, bytes(1))).toMatchObject({ ok: false, status: Status.MALFORMED });
    expect(j.put(1.5, bytes(1))).toMatchObject({ ok: false, status: Status.MALFORMED });
    expect(j.put(1, [1, 2] as unknown as Uint8Array)).toMatchObject({ ok: false, status: Status.MALFORMED });
    expect(j.put(1, new Uint8Array(65))).toMatchObject({ ok: false, status: Status.OVERSIZE });
    expect(
      j.putMany([
        { id: 1, value: bytes(1) },
        { id: 1, value: bytes(2) },
      ]),
    ).toMatchObject({ ok: false, status: Status.MALFORMED });
    expect(j.putMany(null as unknown as [])).toMatchObject({ ok: false, status: Status.MALFORMED });
    // Four 64-byte values in one entry exceed a 256-byte page.
    const big = [1, 2, 3, 4].map((id) => ({ id, value: new Uint8Array(64) }));
    expect(j.putMany(big)).toMatchObject({ ok: false, status: Status.OVERSIZE });
    expect(j.putMany([])).toEqual({ ok: true, value: true });
    expect(f.operations).toBe(ops);
  });

  it('refuses a state that cannot fit a group (store full) and keeps the old one', () => {
    const f = small();
    const j = open(f);
    for (let id = 1; id <= 6; id++) must(j.put(id, fill(64, id)));
    // 7 × (64 + 3) bytes of live data no longer packs into 2 × 256-byte pages.
    expect(j.put(7, fill(64, 7))).toMatchObject({ ok: false, status: Status.OVERSIZE });
    expect(open(f).ids()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('bad options fail with INTERNAL, never throw', () => {
    const f = small();
    for (const o of [
      { pageCount: 3 },
      { pageCount: 0 },
      { firstPage: 3 },
      { firstPage: -1 },
      { maxRecordId: 0 },
      { maxRecordId: 255 },
      { maxValueSize: 300 },
      { maxValueSize: -1 },
    ]) {
      expect(Journal.open(f, o)).toMatchObject({ ok: false, status: Status.INTERNAL });
    }
  });

  it('uses only its region and defaults to 1024-byte values on 4 KiB pages', () => {
    const f = new FlashEmulator(); // 16 × 4096
    const j = open(f, { firstPage: 10, pageCount: 4 });
    expect(j.maxValueSize).toBe(1024);
    must(j.put(1, new Uint8Array(1024)));
    for (let p = 0; p < 10; p++) expect(f.isErased(p)).toBe(true);
    for (let p = 14; p < 16; p++) expect(f.isErased(p)).toBe(true);
    expect(open(f, { firstPage: 10, pageCount: 4 }).get(1)).toEqual(new Uint8Array(1024));
  });

  it('compact() physically removes removed and superseded values', () => {
    const f = small();
    const j = open(f);
    const secret = new TextEncoder().encode('CARD-TOKEN-SECRET');
    must(j.put(2, secret));
    must(j.put(1, bytes(1)));
    must(j.putMany([{ id: 2, value: null }]));
    expect(Buffer.from(f.toBytes()).includes(Buffer.from(secret))).toBe(true);
    must(j.compact());
    expect(Buffer.from(f.toBytes()).includes(Buffer.from(secret))).toBe(false);
    expect(open(f).ids()).toEqual([1]);
  });

  it('after a failed write the instance refuses everything until reopened', () => {
    const f = small();
    const j = open(f);
    must(j.put(1, bytes(1)));
    f.cutPowerAfter(1, 'none');
    expect(j.put(1, bytes(2))).toMatchObject({ ok: false, status: Status.INTERNAL });
    f.restorePower();
    expect(j.put(1, bytes(3))).toMatchObject({ ok: false, status: Status.INTERNAL });
    const k = open(f);
    expect(k.get(1)).toEqual(bytes(1));
    must(k.put(1, bytes(4)));
    expect(open(f).get(1)).toEqual(bytes(4));
  });

  it('a cut during open fails the open; the next open works', () => {
    const f = small();
    const j = open(f);
    for (let i = 0; i < 30; i++) must(j.put(1, fill(20, i)));
    // Leave a stale group behind: cut the compaction's final erase of the old group.
    let cut = false;
    for (let k = 1; !cut && k < 20; k++) {
      const snap = f.snapshot();
      const base = f.stats().erases;
      f.cutPowerAfter(k, 'none');
      const r = open(f).put(1, fill(20, 99));
      if (!r.ok && f.stats().erases > base) cut = true;
      f.restorePower();
      if (!cut) f.restore(snap);
    }
    expect(cut).toBe(true);
    f.cutPowerAfter(1, 'none');
    // The old group's leftovers are erased at open: that erase is cut.
    expect(Journal.open(f, OPTS)).toMatchObject({ ok: false, status: Status.INTERNAL });
    f.restorePower();
    expect(open(f).get(1)).toEqual(fill(20, 99));
  });

  it('wear alternates between the groups', () => {
    const f = small();
    const j = open(f);
    for (let i = 0; i < 300; i++)
      must(
        j.putMany([
          { id: 3, value: fill(8, i) },
          { id: 4, value: fill(8, i) },
        ]),
      );
    const counts = [0, 1, 2, 3].map((p) => f.eraseCount(p));
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('PowerCutError is what the emulator throws (the journal turns it into a Result)', () => {
    const f = small();
    f.cutPowerAfter(1);
    expect(() => f.erase(0)).toThrow(PowerCutError);
  });
});
