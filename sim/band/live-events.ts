/**
 * Live updates for the web UI: server-sent events. Each stream gets the bands' status
 * snapshots (throttled: snapshots run firmware code) and every radio frame and log line
 * as it happens.
 *
 *   event: status   data: { bands: SimBandStatus[] }
 *   event: frame    data: { band, frame: RadioFrame }
 *   event: log      data: { band, line: LogLine }
 */
import type { ServerResponse } from 'node:http';
import type { SimBand } from './sim-band.ts';

const STATUS_THROTTLE_MS = 150;
const STATUS_PERIOD_MS = 1000;

export class LiveEvents {
  private readonly streams = new Set<ServerResponse>();
  private pending: NodeJS.Timeout | null = null;
  private readonly ticker: NodeJS.Timeout;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly bands: () => readonly SimBand[]) {
    for (const band of bands()) {
      const onFrame = (frame: unknown): void => this.broadcast('frame', { band: band.index, frame });
      const onLog = (line: unknown): void => this.broadcast('log', { band: band.index, line });
      const onChange = (): void => this.statusSoon();
      band.on('frame', onFrame);
      band.on('log', onLog);
      for (const e of ['change', 'reset', 'booted', 'halted', 'frame']) band.on(e, onChange);
      this.detach.push(() => {
        band.off('frame', onFrame);
        band.off('log', onLog);
        for (const e of ['change', 'reset', 'booted', 'halted', 'frame']) band.off(e, onChange);
      });
    }
    this.ticker = setInterval(() => this.statusSoon(), STATUS_PERIOD_MS);
    this.ticker.unref();
  }

  /** Turns `res` into an event stream until the client goes away. */
  open(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': wristpay simulator\n\n');
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
    this.write(res, 'status', this.snapshot());
    for (const band of this.bands()) {
      for (const frame of band.hw.frames.slice(-50)) this.write(res, 'frame', { band: band.index, frame });
      for (const line of band.hw.logs.slice(-50)) this.write(res, 'log', { band: band.index, line });
    }
  }

  snapshot(): { bands: unknown[] } {
    return { bands: this.bands().map((b) => b.status()) };
  }

  close(): void {
    clearInterval(this.ticker);
    if (this.pending) clearTimeout(this.pending);
    for (const d of this.detach) d();
    for (const res of this.streams) res.end();
    this.streams.clear();
  }

  private statusSoon(): void {
    if (this.pending !== null || this.streams.size === 0) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      if (this.streams.size > 0) this.broadcast('status', this.snapshot());
    }, STATUS_THROTTLE_MS);
  }

  private broadcast(event: string, data: unknown): void {
    for (const res of this.streams) this.write(res, event, data);
  }

  private write(res: ServerResponse, event: string, data: unknown): void {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
