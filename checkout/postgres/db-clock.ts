/**
 * The database server's clock, read cheaply. Several checkout processes decide day limits,
 * expiries and lockouts from `now`; each machine's clock drifts on its own, so they take the
 * one clock they share, the database's. Reading it per request would cost a round trip, so
 * the offset between this process's clock and the server's is measured (the midpoint of a
 * round trip, as NTP does in the simplest case, RFC 5905 §8) at open and every minute after.
 */
import type { Queryable } from './connect.ts';

const REFRESH_MS = 60_000;

export class DbClock {
  private offsetMs = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Queryable) {}

  /** Measures the offset now and keeps it fresh in the background (the timer is unref'd). */
  async start(): Promise<void> {
    await this.measure();
    this.timer = setInterval(() => this.measure().catch(() => undefined), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Wall-clock milliseconds as the database server sees them. */
  readonly now = (): number => Date.now() + this.offsetMs;

  private async measure(): Promise<void> {
    const sent = Date.now();
    const r = await this.db.query<{ ms: number }>(
      'SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint AS ms',
    );
    const received = Date.now();
    // Whole milliseconds: times are stored as BIGINT, and the midpoint of two integers may be x.5.
    this.offsetMs = Math.round(Number(r.rows[0].ms) - (sent + received) / 2);
  }
}
