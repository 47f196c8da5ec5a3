/**
 * (c) damage to written flash is detected and never trusted; (d) garbage at boot opens.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FlashEmulator } from '../../firmware/testenv/flash-emulator.ts';
import { Journal, type JournalOptions } from '../../firmware/storage/index.ts';
import { Status } from '../../shared/status/codes.ts';

const OPTS: JournalOptions = { maxValueSize: 64, maxRecordId: 8 };
const GEOMETRY = { pageSize: 256, pageCount: 6 }; // two groups of three pages
const IDS = [1, 2, 3, 4, 5];
const hex = (v: Uint8Array | null) => (v ? Buffer.from(v).toString('hex') : 'null');
const fill = (n: number, v: number) => new Uint8Array(n).fill(v & 0xff);
const counterPair = (i: number) => [
  { id: 3, value: fill(4, i) },
  { id: 4, value: fill(6, i * 3) },
];

function openOk(flash: FlashEmulator): Journal {
  const r = Journal.open(flash, OPTS);
  if (!r.ok) throw new Error(`open failed: ${r.detail}`);
  return r.value;
}

/**
 * A store with a history: every value each record ever had (null = absent), every state.
 * `big`: large values, so a compaction packs the state into several base entries over pages.
 */
function buildStore(updates: number, big = false) {
  const flash = new FlashEmulator({ ...GEOMETRY, seed: 5 });
  const j = openOk(flash);
  const history = new Map<number, Set<string>>(IDS.map((id) => [id, new Set(['null'])]));
  /** Every state the store passed through, as one string each (the empty store included). */
  const states = new Set<string>([stateOf(() => null)]);
  const put = (u: { id: number; value: Uint8Array | null }[]) => {
    expect(j.putMany(u).ok).toBe(true);
    for (const { id, value } of u) history.get(id)!.add(hex(value));
    states.add(stateOf((id) => j.get(id)));
  };
  put([{ id: 1, value: fill(big ? 64 : 33, 1) }]);
  put([{ id: 2, value: fill(big ? 64 : 50, 2) }]);
  for (let i = 1; i <= updates; i++) {
    put(counterPair(i));
    if (i % 5 === 0) put([{ id: 5, value: fill(big ? 60 + (i % 4) : i, 5) }]);
    if (i === 7 && !big) put([{ id: 2, value: null }]);
  }
  const latest = new Map(IDS.map((id) => [id, hex(j.get(id))]));
  return { flash, snap: flash.snapshot(), history, states, latest, compactions: j.compactions };
}

function stateOf(get: (id: number) => Uint8Array | null): string {
  return IDS.map((id) => hex(get(id))).join('/');
}

describe('(c) damage is detected and never trusted', () => {
  // Few enough updates that the live group holds a long log (no compaction yet) …
  const long = buildStore(12);
  // … and enough for compactions, so the live group is the second one.
  const compacted = buildStore(40);
  // … and a packed base of several entries over two pages, with few appends after it.
  const packed = buildStore(11, true);

  const damage = fc.array(
    fc.record({
      page: fc.integer({ min: 0, max: GEOMETRY.pageCount - 1 }),
      // Mostly within the written part of a page, sometimes anywhere.
      offset: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 255 })),
      // 'wipe': the page from `offset` on reads erased (a disturbed or half-erased page).
      kind: fc.constantFrom('flip', 'flip', 'byte', 'byte', 'wipe'),
      bit: fc.integer({ min: 0, max: 7 }),
      value: fc.integer({ min: 0, max: 255 }),
    }),
    { minLength: 1, maxLength: 4 },
  );

  it('the stores under test have the intended shapes', () => {
    expect(long.compactions).toBe(1); // only the first write's "format"
    expect(compacted.compactions).toBeGreaterThan(1);
    expect(packed.compactions).toBeGreaterThan(1);
    // The live group of `packed` starts with more than one base entry (header offset 12).
    const live = [0, 3].find((p) => packed.snap.bytes[p * 256 + 24] === 0)!;
    expect(packed.snap.bytes[live * 256 + 12]).toBeGreaterThan(1);
  });

  const stores = [
    ['long log', long],
    ['after compactions', compacted],
    ['packed base', packed],
  ] as const;
  for (const [name, store] of stores) {
    it(`${name}: values were written, the state is a past one, changes are reported`, () => {
      let reported = 0;
      fc.assert(
        fc.property(damage, (hits) => {
          const { flash, snap, history, latest } = store;
          flash.restore(snap);
          for (const h of hits) {
            if (h.kind === 'flip') flash.flipBit(h.page, h.offset, h.bit);
            else if (h.kind === 'byte') flash.poke(h.page, h.offset, new Uint8Array([h.value]));
            else flash.poke(h.page, h.offset, new Uint8Array(256 - h.offset).fill(0xff));
          }
          const r = Journal.open(flash, OPTS);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          const j = r.value;
          let changed = false;
          for (const id of IDS) {
            const v = hex(j.get(id));
            expect(history.get(id)!.has(v), `record ${id} = ${v} was never written`).toBe(true);
            if (v !== latest.get(id)) changed = true;
          }
          // The whole state is one the store passed through (or empty): no update half-applied,
          // no update skipped while later ones count.
          expect(store.states.has(stateOf((id) => j.get(id))), 'a state the store never had').toBe(true);
          // Nothing silently goes back: any difference from the latest state is reported. (Not
          // for wipes: erasing the end of the log looks exactly like a power cut; docs/STORAGE.md.)
          if (changed && hits.every((h) => h.kind !== 'wipe')) expect(j.status()).toBe(Status.STORAGE_CORRUPT);
          if (j.status() === Status.STORAGE_CORRUPT) reported++;
          // The next write rewrites the trusted state; after that the store is clean again.
          expect(j.put(1, fill(33, 9)).ok).toBe(true);
          const k = openOk(flash);
          expect(k.status()).toBe(Status.OK);
          expect(k.get(1)).toEqual(fill(33, 9));
          for (const id of [2, 3, 4, 5]) expect(hex(k.get(id))).toBe(hex(j.get(id)));
        }),
        { seed: 0xc0ffee, numRuns: 1500 },
      );
      expect(reported).toBeGreaterThan(300); // the damage did land on data
    });
  }

  it('a flipped bit in the newest entry reverts that update as a whole and is reported', () => {
    const { flash, snap, latest } = long;
    flash.restore(snap);
    const j0 = openOk(flash);
    expect(hex(j0.get(3))).toBe(latest.get(3));
    // Find the last written byte of the live group and damage a byte of the body before it.
    const image = flash.toBytes();
    let last = 3 * 256 - 1;
    while (image[last] === 0xff) last--;
    const page = Math.floor(last / 256);
    flash.flipBit(page, (last % 256) - 12, 0); // inside the newest entry's body or CRC
    const j = openOk(flash);
    expect(j.status()).toBe(Status.STORAGE_CORRUPT);
    expect(j.corruptions).toBeGreaterThan(0);
    expect(hex(j.get(3))).not.toBe(latest.get(3));
  });

  it('a damaged live group header loses the data but says so', () => {
    const { flash, snap } = long;
    flash.restore(snap);
    flash.flipBit(0, 5, 3); // group sequence byte of group 0's header
    const j = openOk(flash);
    expect(j.status()).toBe(Status.STORAGE_CORRUPT);
    expect(j.ids()).toEqual([]);
  });
});

describe('(d) garbage at boot', () => {
  const valid = buildStore(25);
  const pageKinds = fc.constantFrom('erased', 'random', 'valid-copy', 'half-erased', 'zeros');

  it('opens (empty or with a status), never throws, and is writable afterwards', () => {
    fc.assert(
      fc.property(fc.array(pageKinds, { minLength: 6, maxLength: 6 }), fc.integer(), (kinds, seed) => {
        const flash = new FlashEmulator({ ...GEOMETRY, seed });
        let x = seed >>> 0 || 1;
        const rnd = () => {
          x = (x * 1103515245 + 12345) >>> 0;
          return x >>> 24;
        };
        kinds.forEach((kind, p) => {
          const page = new Uint8Array(256);
          const src = valid.snap.bytes.subarray(((p + (seed & 3)) % 6) * 256, ((p + (seed & 3)) % 6) * 256 + 256);
          for (let i = 0; i < 256; i++) {
            page[i] =
              kind === 'erased'
                ? 0xff
                : kind === 'random'
                  ? rnd()
                  : kind === 'valid-copy'
                    ? src[i]
                    : kind === 'zeros'
                      ? 0
                      : src[i] | rnd();
          }
          flash.poke(p, 0, page);
        });
        let r: ReturnType<typeof Journal.open> | undefined;
        expect(() => (r = Journal.open(flash, OPTS))).not.toThrow();
        expect(r!.ok).toBe(true);
        if (!r!.ok) return;
        const j = r!.value;
        expect([Status.OK, Status.STORAGE_CORRUPT]).toContain(j.status());
        for (const id of IDS) expect(() => j.get(id)).not.toThrow();
        expect(j.put(2, fill(10, 2)).ok).toBe(true);
        const k = openOk(flash);
        expect(k.status()).toBe(Status.OK);
        expect(k.get(2)).toEqual(fill(10, 2));
      }),
      { seed: 0xd1e, numRuns: 300 },
    );
  });

  it('an all-random flash opens as an empty store', () => {
    for (let s = 1; s <= 20; s++) {
      const flash = new FlashEmulator({ ...GEOMETRY, seed: s });
      let x = s;
      const img = new Uint8Array(6 * 256).map(() => {
        x = (x * 1103515245 + 12345) >>> 0;
        return x >>> 24;
      });
      flash.poke(0, 0, img.subarray(0, 256));
      for (let p = 1; p < 6; p++) flash.poke(p, 0, img.subarray(p * 256, p * 256 + 256));
      const j = openOk(flash);
      expect(j.ids()).toEqual([]);
    }
  });

  it('a store written with another page size is not mistaken for ours', () => {
    const f = new FlashEmulator({ pageSize: 512, pageCount: 4 });
    const j = openOk(f);
    expect(j.put(1, fill(5, 1)).ok).toBe(true);
    const other = FlashEmulator.fromBytes(f.toBytes(), 256);
    const k = openOk(other);
    expect(k.get(1)).toBeNull();
  });
});
