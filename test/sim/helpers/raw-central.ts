/** A raw websocket client for the noble protocol: sends any frame, waits for typed answers. */
import WebSocket from 'ws';

export type Frame = { type: string; [k: string]: unknown };

export class RawCentral {
  readonly frames: Frame[] = [];
  closed: { code: number } | null = null;
  private waiters: (() => void)[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.frames.push(JSON.parse(String(d)) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('close', (code) => {
      this.closed = { code };
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('error', () => {});
  }

  static async open(port: number): Promise<RawCentral> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    const c = new RawCentral(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return c;
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame (not yet taken) matching `pred`; removes it from the buffer. */
  async next(pred: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      if (this.closed) throw new Error(`socket closed (${this.closed.code}) while waiting`);
      const left = end - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  type(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === type, timeoutMs);
  }

  /** Scan, then connect to `peripheralUuid`; resolves on the connect frame. */
  async connect(peripheralUuid: string): Promise<void> {
    this.send({ action: 'connect', peripheralUuid });
    await this.next((f) => f.type === 'connect' && f.peripheralUuid === peripheralUuid);
  }

  close(): void {
    this.ws.close();
  }
}
