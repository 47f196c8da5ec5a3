/**
 * The bridge's side of the radio, reduced to what tests need: fragment messages into
 * control-point writes, reassemble the band's notifications into frames and decode them.
 * Works over any radio that takes writes and collects notifications: the test
 * environment's RadioEmu (in-process or QuickJS band) or duk-hal's `halctl` (Duktape).
 *
 * Pure protocol code (shared/ only), so it also bundles into the ES5 scenario that runs
 * inside `duk` (harness/engines/duk-checkout/): no Node APIs, no Map/Set, no iterators.
 */
import { FrameCommand } from '../../shared/framing/commands.ts';
import { fragmentMessage } from '../../shared/framing/fragment.ts';
import { Reassembler } from '../../shared/framing/reassembler.ts';
import { decodeMessage, encodeMessage, type Message } from '../../shared/messages/clear.ts';

/** The central's view of a band's GATT server. */
export interface RadioPort {
  /** One write to the control point. */
  write(bytes: Uint8Array): void;
  /** Every notification the band sent, oldest first (only ever appended to). */
  readonly notifications: Uint8Array[];
}

export interface Received {
  cmd: number;
  message: Message;
}

export type MessageOf<T extends Message['type']> = Extract<Message, { type: T }>;

function describe(m: Message): string {
  return m.type === 'error' ? 'error:' + m.status : m.type;
}

export class FrameLink {
  private readonly reassembler = new Reassembler({ timeoutMs: 1e12 });
  private consumed = 0;

  constructor(
    private readonly radio: RadioPort,
    readonly mtu: number,
  ) {}

  writeRaw(bytes: Uint8Array): void {
    this.radio.write(bytes);
  }

  send(m: Message): void {
    this.sendBytes(encodeMessage(m));
  }

  sendBytes(payload: Uint8Array, cmd: number = FrameCommand.MSG): void {
    const fragments = fragmentMessage(cmd, payload, this.mtu);
    for (let i = 0; i < fragments.length; i++) this.radio.write(fragments[i]);
  }

  /** Forget every notification so far (after a reboot: a new connection). */
  skipPending(): void {
    this.consumed = this.radio.notifications.length;
  }

  /** Every complete frame notified since the last call. */
  received(): Received[] {
    const out: Received[] = [];
    const all = this.radio.notifications;
    for (; this.consumed < all.length; this.consumed++) {
      const ev = this.reassembler.push(all[this.consumed], 0);
      if (ev.kind === 'frame') {
        const d = decodeMessage(ev.payload);
        if (!d.ok) throw new Error('band sent an undecodable frame: status ' + d.status + ' ' + (d.detail || ''));
        out.push({ cmd: ev.cmd, message: d.value });
      } else if (ev.kind === 'error') throw new Error('band sent a broken fragment: status ' + ev.status);
    }
    return out;
  }

  /** The last message of the given type received since the last call (throws if none). */
  expect<T extends Message['type']>(type: T): MessageOf<T> {
    const all = this.received().map((r) => r.message);
    const found = all.filter((m) => m.type === type);
    if (found.length === 0) throw new Error('expected a ' + type + ', got ' + JSON.stringify(all.map(describe)));
    return found[found.length - 1] as MessageOf<T>;
  }
}
