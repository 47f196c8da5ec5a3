/**
 * Drives a band booted in-process on the test environment, as a bridge would: writes
 * frames to the control point, reassembles notifications and decodes them. A test
 * helper only; the end-to-end suite uses the real bridge over noble.
 */
import { bootBand, BootedBand } from '../../firmware/boot.ts';
import { BandConfig } from '../../firmware/config.ts';
import { createTestEnv, TestEnv, TestEnvOptions } from '../../firmware/testenv/test-env.ts';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { fragmentMessage } from '../../shared/framing/fragment.ts';
import { Reassembler } from '../../shared/framing/reassembler.ts';
import { decodeMessage, encodeMessage, Message } from '../../shared/messages/clear.ts';

export interface Received {
  cmd: number;
  message: Message;
}

export class BandDriver {
  readonly env: TestEnv;
  booted: BootedBand;
  private readonly reassembler = new Reassembler({ timeoutMs: 1e12 });
  private consumed = 0;

  constructor(opts: TestEnvOptions & { config?: Partial<BandConfig> } = {}, private readonly mtu = 185) {
    this.env = createTestEnv(opts);
    this.booted = bootBand(this.env.hal, opts.config);
    this.env.radio.connect(mtu);
  }

  get band() {
    return this.booted.band;
  }

  status() {
    return this.booted.status();
  }

  /** Reboot on the same flash and secure element: RAM state (the session) is lost. */
  reboot(config?: Partial<BandConfig>): void {
    this.env.radio.disconnect();
    this.booted = bootBand(this.env.hal, config);
    this.consumed = this.env.radio.notifications.length;
    this.env.radio.connect(this.mtu);
  }

  putOn(): void {
    this.env.wear.sample(true);
  }

  takeOff(): void {
    this.env.wear.sample(false);
    this.env.clock.advance(2000);
  }

  writeRaw(bytes: Uint8Array): void {
    this.env.radio.write(bytes);
  }

  send(m: Message): void {
    this.sendBytes(encodeMessage(m));
  }

  sendBytes(payload: Uint8Array, cmd: number = FrameCommand.MSG): void {
    for (const f of fragmentMessage(cmd, payload, this.mtu)) this.env.radio.write(f);
  }

  /** Every complete frame notified since the last call. */
  received(): Received[] {
    const out: Received[] = [];
    const all = this.env.radio.notifications;
    for (; this.consumed < all.length; this.consumed++) {
      const ev = this.reassembler.push(all[this.consumed], 0);
      if (ev.kind === 'frame') {
        const d = decodeMessage(ev.payload);
        if (!d.ok) throw new Error(`band sent an undecodable frame: status ${d.status} ${d.detail ?? ''}`);
        out.push({ cmd: ev.cmd, message: d.value });
      } else if (ev.kind === 'error') throw new Error(`band sent a broken fragment: status ${ev.status}`);
    }
    return out;
  }

  /** The last message of the given type received since the last call (throws if none). */
  expect<T extends Message['type']>(type: T): Extract<Message, { type: T }> {
    const all = this.received().map((r) => r.message);
    const found = all.filter((m) => m.type === type);
    if (found.length === 0) throw new Error(`expected a ${type}, got ${JSON.stringify(all.map((m) => m.type === 'error' ? `error:${m.status}` : m.type))}`);
    return found[found.length - 1] as Extract<Message, { type: T }>;
  }
}
