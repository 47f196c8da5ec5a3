/**
 * A bare HCI host for the controller tests: sends commands and ACL packets over the H4 socket
 * and collects what comes back, so each test can say exactly which events the spec wants.
 */
import { type Socket, connect } from 'node:net';
import { Evt, H4, H4Splitter } from '../../../harness/radio/hci.ts';

export interface Event {
  code: number;
  params: Buffer;
}

export class RawHost {
  readonly events: Event[] = [];
  readonly acl: { handle: number; pb: number; data: Buffer }[] = [];
  private readonly socket: Socket;
  private waiters: (() => void)[] = [];

  constructor(path: string) {
    this.socket = connect(path);
    const splitter = new H4Splitter(
      (p) => {
        if (p[0] === H4.EVENT) this.events.push({ code: p[1], params: p.subarray(3) });
        if (p[0] === H4.ACL) {
          const header = p.readUInt16LE(1);
          this.acl.push({ handle: header & 0xfff, pb: header >> 12, data: p.subarray(5) });
        }
        for (const w of this.waiters.splice(0)) w();
      },
      (m) => {
        throw new Error(m);
      },
    );
    this.socket.on('data', (c) => splitter.push(c));
  }

  /** Sends a command and resolves with its Command Complete / Command Status parameters. */
  async command(opcode: number, params: number[] | Buffer = []): Promise<{ status: number; ret: Buffer }> {
    const p = Buffer.from(params);
    const from = this.events.length;
    this.socket.write(Buffer.concat([Buffer.from([H4.COMMAND, opcode & 0xff, opcode >> 8, p.length]), p]));
    const e = await this.next(
      (x) =>
        (x.code === Evt.COMMAND_COMPLETE && x.params.readUInt16LE(1) === opcode) ||
        (x.code === Evt.COMMAND_STATUS && x.params.readUInt16LE(2) === opcode),
      from,
    );
    return e.code === Evt.COMMAND_COMPLETE
      ? { status: e.params[3], ret: e.params.subarray(4) }
      : { status: e.params[0], ret: Buffer.alloc(0) };
  }

  sendAcl(handle: number, pb: number, data: Buffer): void {
    const h = Buffer.alloc(5);
    h[0] = H4.ACL;
    h.writeUInt16LE(handle | (pb << 12), 1);
    h.writeUInt16LE(data.length, 3);
    this.socket.write(Buffer.concat([h, data]));
  }

  /** The first event from index `from` on that matches. */
  async next(match: (e: Event) => boolean, from = 0, timeoutMs = 2000): Promise<Event> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.slice(from).find(match);
      if (e) return e;
      if (Date.now() > end) throw new Error('no such event');
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  /** LE Meta events of `subevent`, parameters after the subevent code. */
  le(subevent: number): Buffer[] {
    return this.events
      .filter((e) => e.code === Evt.LE_META && e.params[0] === subevent)
      .map((e) => e.params.subarray(1));
  }

  close(): void {
    this.socket.destroy();
  }
}
