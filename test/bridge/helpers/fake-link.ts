/**
 * A BandLink the test plays the band on: it records the fragments written and pushes
 * whatever notifications the test likes — the hostile relay's view of a band.
 */
import type { BandLink } from '../../../bridge/transport/types.ts';
import { FrameCommand } from '../../../shared/framing/commands.ts';
import { fragmentMessage } from '../../../shared/framing/fragment.ts';
import { type Message, encodeMessage } from '../../../shared/messages/clear.ts';
import { Status } from '../../../shared/status/codes.ts';
import { WristpayError } from '../../../shared/status/error.ts';

export class FakeLink implements BandLink {
  readonly id = 'fake';
  connected = true;
  readonly writes: Uint8Array[] = [];
  info: Uint8Array = new Uint8Array(0);
  /** Make the next write fail. */
  failWrites = false;
  /** Called after each write (to answer like a band). */
  onWrite: ((fragment: Uint8Array) => void) | null = null;
  private readonly notifyFns = new Set<(f: Uint8Array) => void>();
  private readonly downFns = new Set<(r: string) => void>();

  constructor(readonly mtu = 23) {}

  async readInfo(): Promise<Uint8Array> {
    return this.info;
  }
  async write(fragment: Uint8Array): Promise<void> {
    if (!this.connected) throw new WristpayError(Status.UNREACHABLE, 'not connected');
    if (this.failWrites) throw new Error('radio fell over');
    this.writes.push(fragment);
    this.onWrite?.(fragment);
  }
  onNotify(fn: (f: Uint8Array) => void): () => void {
    this.notifyFns.add(fn);
    return () => this.notifyFns.delete(fn);
  }
  onDisconnect(fn: (r: string) => void): () => void {
    this.downFns.add(fn);
    return () => this.downFns.delete(fn);
  }
  async disconnect(): Promise<void> {
    this.drop('bridge');
  }

  /** The band notifies one fragment. */
  notify(fragment: Uint8Array | number[]): void {
    const bytes = fragment instanceof Uint8Array ? fragment : new Uint8Array(fragment);
    for (const fn of [...this.notifyFns]) fn(bytes);
  }
  /** The band notifies a whole frame (fragmented to this link's MTU). */
  frame(cmd: number, payload: Uint8Array): void {
    for (const f of fragmentMessage(cmd, payload, this.mtu)) this.notify(f);
  }
  message(m: Message, cmd: number = FrameCommand.MSG): void {
    this.frame(cmd, encodeMessage(m));
  }
  drop(reason = 'walked away'): void {
    if (!this.connected) return;
    this.connected = false;
    for (const fn of [...this.downFns]) fn(reason);
  }
  /** First bytes of every frame written (cmd bytes of initial fragments). */
  commands(): number[] {
    return this.writes.filter((w) => (w[0] & 0x80) !== 0).map((w) => w[0]);
  }
}
