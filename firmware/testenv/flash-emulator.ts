/**
 * NOR flash emulator with power-cut injection. Host-only.
 *
 * Enforces what real NOR does to firmware that gets it wrong: `program` can only clear bits
 * (a 1 where the current byte has a 0 is a `FlashRuleError`, not a silent AND, so bugs that
 * rely on re-programming show up in tests) and may not cross a page. Not modelled: the nRF52's
 * limit of two writes per 32-bit word between erases, and weakly programmed bits that read
 * differently from one read to the next; firmware should still write each word only once.
 *
 * Power cuts: `cutPowerAfter(n)` arms a cut at the n-th next program/erase. That operation does
 * part of its work (chosen by the emulator's seeded generator unless a style is given) and then
 * throws `PowerCutError`; every later program/erase throws too until `restorePower()`.
 * Reads are never cut, so a test can inspect the damage before "rebooting".
 */
import type { Bytes, Flash } from '../hal.ts';
import { Xorshift32 } from './seeded-random.ts';

export class FlashRuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlashRuleError';
  }
}

export class PowerCutError extends Error {
  constructor(message = 'power cut') {
    super(message);
    this.name = 'PowerCutError';
  }
}

/**
 * How much of the cut operation happens. 'random' (default) draws one of the others, weighted:
 * 'partial' is the interesting case. 'none': nothing changed; 'complete': the operation finished
 * but power went before it could return; 'partial': a program writes a prefix and the byte at
 * the cut may be partly programmed; an erase leaves a prefix at 0xFF and the rest untouched,
 * half-erased (old | random bits) or random garbage.
 */
export type CutStyle = 'random' | 'none' | 'partial' | 'complete';

export interface FlashEmulatorOptions {
  pageSize?: number;
  pageCount?: number;
  /** Seed for the choices made at a power cut. */
  seed?: number;
}

export interface FlashSnapshot {
  readonly pageSize: number;
  readonly pageCount: number;
  readonly bytes: Uint8Array;
  readonly eraseCounts: readonly number[];
}

export interface FlashStats {
  reads: number;
  programs: number;
  erases: number;
  bytesProgrammed: number;
  cuts: number;
}

export class FlashEmulator implements Flash {
  readonly pageSize: number;
  readonly pageCount: number;
  private data: Uint8Array;
  private eraseCounts: number[];
  private rng: Xorshift32;
  private countdown = 0; // 0: no cut armed
  private cutStyle: CutStyle = 'random';
  private powered = true;
  private counters: FlashStats = { reads: 0, programs: 0, erases: 0, bytesProgrammed: 0, cuts: 0 };

  constructor(options: FlashEmulatorOptions = {}) {
    const pageSize = options.pageSize ?? 4096;
    const pageCount = options.pageCount ?? 16;
    if (!Number.isInteger(pageSize) || pageSize < 16 || pageSize % 4 !== 0) {
      throw new RangeError(`pageSize must be a multiple of 4 and >= 16, got ${pageSize}`);
    }
    if (!Number.isInteger(pageCount) || pageCount < 1) throw new RangeError(`bad pageCount ${pageCount}`);
    this.pageSize = pageSize;
    this.pageCount = pageCount;
    this.data = new Uint8Array(pageSize * pageCount).fill(0xff);
    this.eraseCounts = new Array<number>(pageCount).fill(0);
    this.rng = new Xorshift32(options.seed ?? 0x5eed);
  }

  /** An emulator over a saved image (see `toBytes`); the page count follows from the length. */
  static fromBytes(bytes: Uint8Array, pageSize = 4096, options: { seed?: number } = {}): FlashEmulator {
    if (bytes.length === 0 || bytes.length % pageSize !== 0) {
      throw new RangeError(`image of ${bytes.length} bytes is not a whole number of ${pageSize}-byte pages`);
    }
    const flash = new FlashEmulator({ pageSize, pageCount: bytes.length / pageSize, seed: options.seed });
    flash.data.set(bytes);
    return flash;
  }

  /** A copy of the whole image, page 0 first (what the simulator persists). */
  toBytes(): Uint8Array {
    return this.data.slice();
  }

  read(page: number, offset: number, length: number): Bytes {
    const base = this.locate(page, offset, length);
    this.counters.reads++;
    return this.data.slice(base, base + length);
  }

  erase(page: number): void {
    const base = this.locate(page, 0, this.pageSize);
    this.beginOperation();
    this.counters.erases++;
    this.eraseCounts[page]++;
    const cut = this.takeCut();
    const end = base + this.pageSize;
    if (cut === null || cut === 'complete') this.data.fill(0xff, base, end);
    else if (cut === 'partial') this.partialErase(base, end);
    if (cut !== null) this.die('erase', page);
  }

  program(page: number, offset: number, data: Bytes): void {
    if (!(data instanceof Uint8Array)) throw new FlashRuleError('program: data must be a Uint8Array');
    const base = this.locate(page, offset, data.length);
    this.beginOperation();
    for (let i = 0; i < data.length; i++) {
      const old = this.data[base + i];
      if ((data[i] & ~old & 0xff) !== 0) {
        throw new FlashRuleError(
          `program: page ${page} offset ${offset + i}: 0x${old.toString(16)} -> 0x${data[i].toString(16)} sets bits (erase first)`,
        );
      }
    }
    this.counters.programs++;
    const cut = this.takeCut();
    let n = data.length;
    if (cut === 'none') n = 0;
    else if (cut === 'partial') n = this.rng.int(data.length + 1);
    for (let i = 0; i < n; i++) this.data[base + i] = data[i];
    this.counters.bytesProgrammed += n;
    if (cut === 'partial' && n < data.length) {
      // The byte at the cut: some of the bits it was meant to clear are cleared.
      const at = base + n;
      const wanted = ~data[n] & 0xff & this.data[at];
      this.data[at] &= ~(wanted & this.rng.byte()) & 0xff;
    }
    if (cut !== null) this.die('program', page);
  }

  /**
   * Arm a power cut at the `n`-th next program/erase (n >= 1). Replaces any cut already armed.
   */
  cutPowerAfter(n: number, style: CutStyle = 'random'): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`cutPowerAfter: n must be an integer >= 1, got ${n}`);
    this.countdown = n;
    this.cutStyle = style;
  }

  /** Disarm a pending cut (one that has not happened yet). */
  cancelCut(): void {
    this.countdown = 0;
  }

  /** Power back on after a cut; the flash keeps whatever the cut left. */
  restorePower(): void {
    this.powered = true;
    this.countdown = 0;
  }

  get isPowered(): boolean {
    return this.powered;
  }

  /** Program + erase operations started so far, cut ones included (not ones refused for a NOR-rule or bounds error). */
  get operations(): number {
    return this.counters.programs + this.counters.erases;
  }

  stats(): FlashStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = { reads: 0, programs: 0, erases: 0, bytesProgrammed: 0, cuts: 0 };
  }

  eraseCount(page: number): number {
    return this.eraseCounts[page];
  }

  snapshot(): FlashSnapshot {
    return {
      pageSize: this.pageSize,
      pageCount: this.pageCount,
      bytes: this.data.slice(),
      eraseCounts: this.eraseCounts.slice(),
    };
  }

  /** Put back an image taken with `snapshot` (contents and erase counts; power state unchanged). */
  restore(snap: FlashSnapshot): void {
    if (snap.pageSize !== this.pageSize || snap.pageCount !== this.pageCount) {
      throw new RangeError('restore: snapshot geometry differs');
    }
    this.data.set(snap.bytes);
    this.eraseCounts = snap.eraseCounts.slice();
  }

  /** Test hook: overwrite bytes ignoring NOR rules (simulates corruption, not a firmware write). */
  poke(page: number, offset: number, bytes: Uint8Array): void {
    this.data.set(bytes, this.locate(page, offset, bytes.length));
  }

  /** Test hook: invert one bit (retention failure or disturb). */
  flipBit(page: number, offset: number, bit: number): void {
    this.data[this.locate(page, offset, 1)] ^= 1 << (bit & 7);
  }

  /** True when every byte of the page reads 0xFF. */
  isErased(page: number): boolean {
    const base = this.locate(page, 0, this.pageSize);
    for (let i = base; i < base + this.pageSize; i++) if (this.data[i] !== 0xff) return false;
    return true;
  }

  private locate(page: number, offset: number, length: number): number {
    if (!Number.isInteger(page) || page < 0 || page >= this.pageCount) {
      throw new FlashRuleError(`page ${page} out of range 0..${this.pageCount - 1}`);
    }
    if (
      !Number.isInteger(offset) ||
      !Number.isInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > this.pageSize
    ) {
      throw new FlashRuleError(`offset ${offset} + length ${length} crosses the ${this.pageSize}-byte page`);
    }
    return page * this.pageSize + offset;
  }

  private beginOperation(): void {
    if (!this.powered) throw new PowerCutError('flash operation while power is off');
  }

  /** Decides whether this operation is the cut one, and how much of it happens. */
  private takeCut(): Exclude<CutStyle, 'random'> | null {
    if (this.countdown === 0 || --this.countdown > 0) return null;
    this.counters.cuts++;
    if (this.cutStyle !== 'random') return this.cutStyle;
    const r = this.rng.int(8); // partial most of the time; the edges are where bugs hide too
    return r === 0 ? 'none' : r === 1 ? 'complete' : 'partial';
  }

  private partialErase(base: number, end: number): void {
    const mode = this.rng.int(3);
    const keep = this.rng.int(end - base);
    if (mode === 0) {
      this.data.fill(0xff, base, base + keep); // erased prefix, rest untouched
    } else if (mode === 1) {
      for (let i = base; i < end; i++) this.data[i] |= this.rng.byte(); // half-erased: bits only rise
    } else {
      for (let i = base; i < end; i++) this.data[i] = this.rng.byte(); // garbage
    }
  }

  private die(op: string, page: number): never {
    this.powered = false;
    this.countdown = 0;
    throw new PowerCutError(`power cut during ${op} of page ${page}`);
  }
}
