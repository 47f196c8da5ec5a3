/**
 * The simulated band's NOR flash: firmware/testenv's FlashEmulator (NOR rules, power-cut
 * injection) mirrored to DIR/band-K/flash.bin.
 *
 * Persistence is write-through: after every erase or program (including one a power cut
 * interrupted) the touched page is written to the file at its offset. A journal commit
 * therefore reaches the file before the firmware's next step, so killing the simulator
 * (kill -9) never rolls a committed counter back; the file always has its full size, and
 * a torn page write (an OS crash) is exactly what a NOR power cut does, which the journal
 * is built to survive. The file is first created atomically (temp + rename); `close()`
 * fsyncs it.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Bytes, Flash } from '../../firmware/hal.ts';
import { FlashEmulator, type CutStyle, type FlashStats } from '../../firmware/testenv/flash-emulator.ts';
import { writeFileAtomic } from './atomic-file.ts';

export class PersistentFlash implements Flash {
  readonly pageSize: number;
  readonly pageCount: number;
  private readonly emu: FlashEmulator;
  private fd: number | null;
  /** Reads made by writePage (not the firmware's), left out of stats(). */
  private hostReads = 0;

  /** `onPowerCut` runs (synchronously) when an injected cut fires; the band then reboots. */
  constructor(
    path: string,
    geometry: { pageSize: number; pageCount: number },
    private readonly onPowerCut: () => void = () => {},
  ) {
    const size = geometry.pageSize * geometry.pageCount;
    if (!existsSync(path)) writeFileAtomic(path, new Uint8Array(size).fill(0xff));
    const bytes = new Uint8Array(readFileSync(path));
    if (bytes.length !== size) {
      throw new Error(
        `${path}: ${bytes.length} bytes, expected ${geometry.pageCount} pages of ${geometry.pageSize} (${size}); the file is not this band's flash`,
      );
    }
    this.emu = FlashEmulator.fromBytes(bytes, geometry.pageSize, { seed: Date.now() >>> 0 });
    this.pageSize = this.emu.pageSize;
    this.pageCount = this.emu.pageCount;
    this.fd = openSync(path, 'r+');
  }

  read(page: number, offset: number, length: number): Bytes {
    return this.emu.read(page, offset, length);
  }

  erase(page: number): void {
    this.mutate(page, () => this.emu.erase(page));
  }

  program(page: number, offset: number, data: Bytes): void {
    this.mutate(page, () => this.emu.program(page, offset, data));
  }

  /** Arms a power cut at the n-th next program/erase (see FlashEmulator.cutPowerAfter). */
  powerCutAfter(n: number, style: CutStyle = 'random'): void {
    this.emu.cutPowerAfter(n, style);
  }

  cancelCut(): void {
    this.emu.cancelCut();
  }

  restorePower(): void {
    this.emu.restorePower();
  }

  get isPowered(): boolean {
    return this.emu.isPowered;
  }

  stats(): FlashStats {
    const s = this.emu.stats();
    return { ...s, reads: s.reads - this.hostReads };
  }

  /** A copy of every page (what flash.bin holds). */
  toBytes(): Uint8Array {
    return this.emu.toBytes();
  }

  /** Flushes and closes the file; the emulator stays readable. */
  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }

  private mutate(page: number, op: () => void): void {
    const wasPowered = this.emu.isPowered;
    try {
      op();
    } finally {
      if (Number.isInteger(page) && page >= 0 && page < this.pageCount) this.writePage(page);
      if (wasPowered && !this.emu.isPowered) this.onPowerCut(); // this operation was the cut one
    }
  }

  private writePage(page: number): void {
    if (this.fd === null) throw new Error('flash file is closed');
    const bytes = this.emu.read(page, 0, this.pageSize);
    this.hostReads++;
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off, page * this.pageSize + off);
  }
}
