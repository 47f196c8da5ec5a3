/**
 * The HAL Clock in real time, for the simulator (tests use firmware/testenv's VirtualClock).
 * Monotonic time comes from performance.now() (never goes backwards, unaffected by wall
 * clock changes), wall time from Date.now(), timers from setTimeout. Host-only.
 */
import type { Clock } from '../../firmware/hal.ts';

/** setTimeout's largest delay; longer timers are chained. */
const MAX_DELAY = 0x7fffffff;

export class RealClock implements Clock {
  private readonly origin = performance.now();
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;

  /** Called when a timer callback throws (the QuickJS host never lets guest faults out; this is a host bug). */
  constructor(
    private readonly onError: (err: unknown) => void = (err) => console.error('real-clock: timer threw', err),
  ) {}

  /** Whole milliseconds since this clock was made (the band's boot). */
  monotonicMs(): number {
    return Math.floor(performance.now() - this.origin);
  }

  wallMs(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): number {
    const id = this.nextId++;
    const delay = typeof ms === 'number' && ms > 0 ? ms : 0; // NaN/negative: due now, as on hardware
    this.arm(id, this.monotonicMs() + delay, fn);
    return id;
  }

  cancelTimer(id: number): void {
    const t = this.timers.get(id);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(id);
  }

  /** Timers armed and not yet fired or cancelled. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Cancels every timer (the band resets or stops). */
  cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private arm(id: number, due: number, fn: () => void): void {
    const wait = Math.max(0, due - (performance.now() - this.origin));
    const handle = setTimeout(
      () => {
        if (this.timers.get(id) !== handle) return;
        if (due - (performance.now() - this.origin) > 1) return this.arm(id, due, fn); // chained long timer
        this.timers.delete(id);
        try {
          fn();
        } catch (err) {
          this.onError(err);
        }
      },
      Math.min(wait, MAX_DELAY),
    );
    this.timers.set(id, handle);
  }
}
