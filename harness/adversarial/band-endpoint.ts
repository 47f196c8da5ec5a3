/**
 * The band side of the hostile relay: one protocol message in (its exact bytes, framed at
 * the link's MTU), the band's reply out — the next MSG (its exact bytes), an ERROR frame's
 * status, or silence. Two bands can sit behind it:
 *
 *  - `InProcessEndpoint`: the real firmware booted in this process on firmware/testenv
 *    (test/support BandDriver), synchronous and fast, on a virtual clock the test moves;
 *  - `SessionEndpoint`: a simulated band (QuickJS, sim/band) behind the bridge's own relay
 *    session (BandSession over noble's websocket bindings), on real time.
 *
 * KEEPALIVE frames are skipped (payments stay below the password-free limit anyway).
 */
import { BandRefusal } from '../../bridge/relay/refusal.ts';
import type { BandSession } from '../../bridge/relay/band-session.ts';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { Reassembler } from '../../shared/framing/reassembler.ts';
import { decodeMessage, encodeMessage } from '../../shared/messages/clear.ts';
import { Status } from '../../shared/status/codes.ts';
import type { SimBand } from '../../sim/band/sim-band.ts';
import { BandDriver } from '../band/band-driver.ts';

export type BandReply = { kind: 'message'; bytes: Uint8Array } | { kind: 'error'; status: number } | { kind: 'silent' };

export interface BandEndpoint {
  readonly name: string;
  /** False when the band's clock is real time (the simulator): only the checkout's clock moves. */
  readonly virtualClock: boolean;
  /** Writes one message and returns the band's reply. */
  request(bytes: Uint8Array): Promise<BandReply>;
  /** Writes a message that needs no reply (a RESULT): silence means the band took it. */
  deliver(bytes: Uint8Array): Promise<BandReply>;
  display(): string[];
  /** The default bank card's counter as the firmware reports it. */
  counter(): number;
  /** Tokens signed since boot. */
  signatures(): number;
  /** Moves the band's clocks (virtual clock only). */
  advance(ms: number): void;
  /** Sets the band's wall clock (a time sync); no-op on real time. */
  syncWall(ms: number): void;
  putOn(): Promise<void>;
  takeOff(): Promise<void>;
  /** Reset: RAM (wear session, replay memory) lost; flash and keys kept; reconnected. */
  reboot(): Promise<void>;
}

type FirmwareCards = { cards?: Array<{ kind: string; counter: number }> } | null;

function bankCounter(status: FirmwareCards): number {
  const card = status?.cards?.find((c) => c.kind === 'bank');
  return card ? card.counter : -1;
}

export const HELLO_REQUEST = encodeMessage({ type: 'hello-request' });

export class InProcessEndpoint implements BandEndpoint {
  readonly virtualClock = true;
  readonly driver: BandDriver;
  private consumed = 0;
  private readonly reassembler = new Reassembler({ timeoutMs: 1e12 });

  constructor(
    readonly name: string,
    seed: number,
    wallMs: number,
  ) {
    this.driver = new BandDriver({ seed, wallMs });
  }

  async request(bytes: Uint8Array): Promise<BandReply> {
    this.driver.sendBytes(bytes);
    return this.collect();
  }

  deliver(bytes: Uint8Array): Promise<BandReply> {
    return this.request(bytes);
  }

  private collect(): BandReply {
    const all = this.driver.env.radio.notifications;
    let reply: BandReply = { kind: 'silent' };
    for (; this.consumed < all.length; this.consumed++) {
      const ev = this.reassembler.push(all[this.consumed], 0);
      if (ev.kind === 'error') reply = { kind: 'error', status: ev.status };
      if (ev.kind !== 'frame' || reply.kind !== 'silent') continue;
      if (ev.cmd === FrameCommand.MSG) reply = { kind: 'message', bytes: ev.payload };
      else if (ev.cmd === FrameCommand.ERROR) {
        const d = decodeMessage(ev.payload);
        reply = { kind: 'error', status: d.ok && d.value.type === 'error' ? d.value.status : Status.MALFORMED };
      }
    }
    return reply;
  }

  display(): string[] {
    return this.driver.env.display.current.slice();
  }
  counter(): number {
    return bankCounter(this.driver.status());
  }
  signatures(): number {
    return this.driver.status().signatures;
  }
  advance(ms: number): void {
    this.driver.advance(ms);
  }
  syncWall(ms: number): void {
    this.driver.env.clock.setWall(ms);
  }
  async putOn(): Promise<void> {
    this.driver.putOn();
  }
  async takeOff(): Promise<void> {
    this.driver.takeOff();
  }
  async reboot(): Promise<void> {
    this.driver.reboot();
    this.consumed = this.driver.env.radio.notifications.length;
    this.reassembler.reset();
  }
}

/** A simulated band behind the bridge's relay session; `reconnect` gets a new session after a reset. */
export class SessionEndpoint implements BandEndpoint {
  readonly virtualClock = false;

  constructor(
    readonly name: string,
    readonly band: SimBand,
    public session: BandSession,
    private readonly reconnect: () => Promise<BandSession>,
    private readonly replyMs = 2000,
    private readonly resultMs = 120,
  ) {}

  request(bytes: Uint8Array): Promise<BandReply> {
    return this.exchange(bytes, this.replyMs);
  }

  deliver(bytes: Uint8Array): Promise<BandReply> {
    return this.exchange(bytes, this.resultMs);
  }

  private async exchange(bytes: Uint8Array, timeoutMs: number): Promise<BandReply> {
    try {
      return {
        kind: 'message',
        bytes: (await this.session.exchange(bytes, { timeoutMs, maxWaitMs: timeoutMs + 1000 })).bytes,
      };
    } catch (e) {
      if (!(e instanceof BandRefusal)) throw e;
      if (e.origin === 'timeout') return { kind: 'silent' };
      return { kind: 'error', status: e.status };
    }
  }

  display(): string[] {
    return this.band.status().display;
  }
  counter(): number {
    return bankCounter(this.band.status().firmwareStatus as FirmwareCards);
  }
  signatures(): number {
    return (this.band.status().firmwareStatus as { signatures?: number } | null)?.signatures ?? 0;
  }
  advance(): void {
    // real time: only the checkout's clock moves
  }
  syncWall(): void {
    // real time
  }
  async putOn(): Promise<void> {
    this.band.setWorn(true);
    await until(() => this.band.status().state === 'worn-locked');
  }
  async takeOff(): Promise<void> {
    this.band.setWorn(false);
    await until(() => this.band.status().state === 'off-wrist');
  }
  async reboot(): Promise<void> {
    this.band.reboot();
    await this.session.close().catch(() => undefined);
    this.session = await this.reconnect();
    await until(() => this.band.status().state === 'worn-locked' || this.band.status().state === 'off-wrist');
  }
}

async function until(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('band endpoint: timed out waiting for the band');
    await new Promise((r) => setTimeout(r, 10));
  }
}
