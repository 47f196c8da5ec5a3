/**
 * A bridge-like relay to a simulated band over the raw noble protocol (tests only; the
 * real bridge uses noble): writes a protocol message as MSG fragments at the link MTU and
 * collects the band's frames, reassembled, as raw payloads.
 */
import { FrameCommand } from '../../../shared/framing/commands.ts';
import { fragmentMessage } from '../../../shared/framing/fragment.ts';
import { Reassembler } from '../../../shared/framing/reassembler.ts';
import { decodeMessage, encodeMessage } from '../../../shared/messages/clear.ts';
import { Gatt } from '../../../shared/protocol/constants.ts';
import { normUuid } from '../../../sim/band/noble-protocol.ts';
import type { Simulator } from '../../../sim/band/simulator.ts';
import { RawCentral } from './raw-central.ts';

export interface BandFrame {
  cmd: number;
  payload: Uint8Array;
}

export class SimRelay {
  readonly frames: BandFrame[] = [];
  private readonly reassembler = new Reassembler();
  private consumed = 0;

  private constructor(
    readonly central: RawCentral,
    readonly id: string,
    readonly mtu: number,
  ) {}

  static async open(sim: Simulator, band = 1): Promise<SimRelay> {
    const c = await RawCentral.open(sim.radioPort);
    const id = sim.band(band).peripheralId;
    c.send({ action: 'connect', peripheralUuid: id });
    const mtu = Number((await c.type('mtu')).mtu);
    await c.type('connect');
    const relay = new SimRelay(c, id, mtu);
    c.send({
      action: 'notify',
      peripheralUuid: id,
      serviceUuid: normUuid(Gatt.SERVICE),
      characteristicUuid: normUuid(Gatt.STATUS),
      notify: true,
    });
    await c.type('notify');
    return relay;
  }

  /** Writes one message (MSG frame), waiting for each write's acknowledgement. */
  async send(message: Uint8Array): Promise<void> {
    for (const f of fragmentMessage(FrameCommand.MSG, message, this.mtu)) {
      this.central.send({
        action: 'write',
        peripheralUuid: this.id,
        serviceUuid: normUuid(Gatt.SERVICE),
        characteristicUuid: normUuid(Gatt.CONTROL_POINT),
        data: Buffer.from(f).toString('hex'),
      });
      await this.central.type('write');
    }
  }

  /** The next complete frame from the band. */
  async nextFrame(timeoutMs = 5000): Promise<BandFrame> {
    const end = Date.now() + timeoutMs;
    while (this.consumed >= this.frames.length) {
      const n = await this.central.next(
        (f) => f.type === 'read' && f.isNotification === true,
        Math.max(1, end - Date.now()),
      );
      const ev = this.reassembler.push(new Uint8Array(Buffer.from(String(n.data), 'hex')), Date.now());
      if (ev.kind === 'frame') this.frames.push({ cmd: ev.cmd, payload: ev.payload });
      if (ev.kind === 'error') throw new Error(`reassembly failed: status ${ev.status}`);
    }
    return this.frames[this.consumed++];
  }

  /** The band's next MSG payload; KEEPALIVEs go to `onKeepalive`; an ERROR frame throws. */
  async nextMessage(onKeepalive?: () => void, timeoutMs = 5000): Promise<Uint8Array> {
    for (;;) {
      const f = await this.nextFrame(timeoutMs);
      if (f.cmd === FrameCommand.KEEPALIVE) {
        onKeepalive?.();
        continue;
      }
      if (f.cmd === FrameCommand.ERROR) {
        const d = decodeMessage(f.payload);
        throw new Error(`band refused: ${d.ok ? JSON.stringify(d.value) : 'undecodable error frame'}`);
      }
      return f.payload;
    }
  }

  /** send + nextMessage. */
  async exchange(message: Uint8Array, onKeepalive?: () => void, timeoutMs?: number): Promise<Uint8Array> {
    await this.send(message);
    return this.nextMessage(onKeepalive, timeoutMs);
  }

  hello(): Promise<Uint8Array> {
    return this.exchange(encodeMessage({ type: 'hello-request' }));
  }

  close(): void {
    this.central.close();
  }
}
