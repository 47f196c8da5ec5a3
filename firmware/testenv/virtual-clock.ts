/**
 * A virtual clock for tests and the simulator: time moves only when the host says so, so
 * every run is reproducible. Host-only (firmware/testenv is never bundled into the image).
 */
import type { Clock } from '../hal.ts';

interface Timer {
  id: number;
  due: number;
  /** Insertion order, so timers due at the same instant fire in the order they were set. */
  order: number;
  fn: () => void;
}

/** Guard against a timer that re-arms itself with 0 ms forever inside one `advance`. */
const MAX_FIRINGS_PER_ADVANCE = 1_000_000;

export class VirtualClock implements Clock {
  private now = 0;
  private wallOffset: number;
  private timers: Timer[] = [];
  private nextId = 1;
  private nextOrder = 0;

  /** `wallMs` is the wall-clock time at monotonic 0 (default 2025-01-01T00:00:00Z). */
  constructor(wallMs = Date.UTC(2025, 0, 1)) {
    this.wallOffset = wallMs;
  }

  monotonicMs(): number {
    return this.now;
  }

  wallMs(): number {
    return this.wallOffset + this.now;
  }

  /** Set the wall clock to `ms` now (as a host or network time sync would); monotonic time is unaffected. */
  setWall(ms: number): void {
    this.wallOffset = ms - this.now;
  }

  setTimer(ms: number, fn: () => void): number {
    const delay = typeof ms === 'number' && ms > 0 ? ms : 0; // NaN/negative: due now, as on hardware
    const id = this.nextId++;
    this.timers.push({ id, due: this.now + delay, order: this.nextOrder++, fn });
    return id;
  }

  cancelTimer(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Number of timers not yet fired or cancelled. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Monotonic time of the next due timer, or null. */
  nextDue(): number | null {
    const t = this.earliest();
    return t === null ? null : t.due;
  }

  /**
   * Move time forward by `ms`, firing every timer due within the window in due order (ties in
   * the order they were set), with the clock reading each timer's due time while it runs.
   * Timers set by a firing timer that fall within the window fire too. A timer that throws
   * propagates out of `advance`; the clock then stays at that timer's due time.
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !isFinite(ms)) throw new RangeError(`advance: ms must be a finite number >= 0, got ${ms}`);
    const target = this.now + ms;
    let firings = 0;
    for (;;) {
      const t = this.earliest();
      if (t === null || t.due > target) break;
      if (++firings > MAX_FIRINGS_PER_ADVANCE) throw new Error('advance: timers keep re-arming within the window');
      this.timers.splice(this.timers.indexOf(t), 1);
      this.now = t.due;
      t.fn();
    }
    this.now = target;
  }

  /** Advance to the next due timer (if any) and fire everything due then; returns whether one fired. */
  runNext(): boolean {
    const due = this.nextDue();
    if (due === null) return false;
    this.advance(due - this.now);
    return true;
  }

  private earliest(): Timer | null {
    let best: Timer | null = null;
    for (const t of this.timers) {
      if (best === null || t.due < best.due || (t.due === best.due && t.order < best.order)) best = t;
    }
    return best;
  }
}
