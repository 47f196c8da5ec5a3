/**
 * A BandLink over a connected noble peripheral (HCI or websocket bindings alike): the
 * control point written with response, one write at a time; the status characteristic's
 * notifications forwarded; the info characteristic read. Every operation is bounded and
 * fails fast when the link drops or the radio reports a fault for this peripheral.
 */
import type { EventEmitter } from 'node:events';
import { LinkListeners } from './link-listeners.ts';
import { Status } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import { asTransportError, callback, withTimeout } from './deadline.ts';
import type { NobleCharacteristic, NoblePeripheral } from './noble-types.ts';
import { type BandLink, TransportError } from './types.ts';

export interface NobleLinkParts {
  peripheral: NoblePeripheral;
  control: NobleCharacteristic;
  status: NobleCharacteristic;
  info: NobleCharacteristic;
  mtu: number;
  /** Emits 'fault' (peripheralId, TransportError) for radio-reported failures (the simulator's error frames). */
  faults?: EventEmitter;
  /** Per-operation budgets in ms. */
  timeouts?: { write?: number; read?: number; disconnect?: number };
}

export class NobleLink implements BandLink {
  readonly id: string;
  readonly mtu: number;
  private up = true;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly inflight = new Set<(e: WristpayError) => void>();
  private readonly listeners = new LinkListeners();
  private readonly budgets: { write: number; read: number; disconnect: number };
  private readonly detach: () => void;

  constructor(private readonly parts: NobleLinkParts) {
    this.id = parts.peripheral.id;
    this.mtu = parts.mtu;
    this.budgets = { write: 5000, read: 5000, disconnect: 3000, ...parts.timeouts };
    const onData = (data: Buffer): void => {
      const copy = new Uint8Array(data);
      this.listeners.fragment(copy);
    };
    const onDisconnect = (reason?: unknown): void =>
      this.markDown(typeof reason === 'string' ? reason : 'the band disconnected');
    const onFault = (peripheralId: string | undefined, err: TransportError): void => {
      if (peripheralId !== undefined && peripheralId !== this.id) return;
      for (const reject of [...this.inflight]) reject(err);
    };
    parts.status.on('data', onData);
    parts.peripheral.on('disconnect', onDisconnect);
    parts.faults?.on('fault', onFault);
    this.detach = () => {
      parts.status.removeListener('data', onData);
      parts.peripheral.removeListener('disconnect', onDisconnect);
      parts.faults?.removeListener('fault', onFault);
    };
  }

  get connected(): boolean {
    return this.up;
  }

  readInfo(): Promise<Uint8Array> {
    return this.op<Buffer>('reading the info characteristic', this.budgets.read, (cb) => this.parts.info.read(cb)).then(
      (b) => new Uint8Array(b),
    );
  }

  write(fragment: Uint8Array): Promise<void> {
    const run = this.queue.then(() => this.writeOne(fragment));
    this.queue = run.catch(() => undefined);
    return run;
  }

  onNotify(fn: (fragment: Uint8Array) => void): () => void {
    return this.listeners.onNotify(fn);
  }

  onDisconnect(fn: (reason: string) => void): () => void {
    return this.listeners.onDisconnect(fn);
  }

  async disconnect(): Promise<void> {
    if (!this.up) return;
    try {
      await withTimeout(
        callback((cb) => this.parts.peripheral.disconnect(() => cb())),
        this.budgets.disconnect,
        'disconnecting',
      );
    } catch {
      // the radio did not confirm; the link is ours to forget either way
    }
    this.markDown('disconnected by the bridge');
  }

  private async writeOne(fragment: Uint8Array): Promise<void> {
    if (!this.up) throw new TransportError(Status.UNREACHABLE, 'the band is not connected');
    if (fragment.length === 0 || fragment.length > this.mtu - 3) {
      throw new TransportError(
        Status.OVERSIZE,
        `a write of ${fragment.length} bytes does not fit ATT_MTU ${this.mtu} − 3`,
      );
    }
    try {
      await this.op('writing the control point', this.budgets.write, (cb) =>
        this.parts.control.write(Buffer.from(fragment), false, cb),
      );
    } catch (e) {
      // An unacknowledged write leaves noble's write bookkeeping out of step: drop the link.
      if (e instanceof WristpayError && e.status === Status.TIMEOUT) void this.disconnect();
      throw e;
    }
  }

  /** One noble callback operation, bounded, and rejected early by a fault or a dropped link. */
  private op<T>(what: string, ms: number, start: (cb: (err?: unknown, value?: T) => void) => void): Promise<T> {
    if (!this.up) return Promise.reject(new TransportError(Status.UNREACHABLE, `${what}: the band is not connected`));
    let abort: (e: WristpayError) => void = () => undefined;
    const work = new Promise<T>((resolve, reject) => {
      abort = reject;
      callback<T>(start).then(resolve, (e: unknown) => reject(asTransportError(e, what)));
    });
    this.inflight.add(abort);
    return withTimeout(work, ms, what).finally(() => this.inflight.delete(abort));
  }

  private markDown(reason: string): void {
    if (!this.up) return;
    this.up = false;
    this.detach();
    const err = new TransportError(Status.UNREACHABLE, `link lost: ${reason}`);
    for (const reject of [...this.inflight]) reject(err);
    this.listeners.down(reason);
  }
}
