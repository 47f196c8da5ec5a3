/**
 * The band's end of the GATT link: reassembles control-point writes into messages,
 * fragments outgoing messages into notifications, answers PING and turns every framing
 * problem into an ERROR frame with its status (docs/PROTOCOL.md §2).
 */
import { FrameCommand } from '../../shared/framing/commands.ts';
import { fragmentMessage } from '../../shared/framing/fragment.ts';
import { Reassembler } from '../../shared/framing/reassembler.ts';
import { encodeMessage } from '../../shared/messages/clear.ts';
import { MAX_MESSAGE_BYTES } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { Clock, Radio } from '../hal.ts';

export interface LinkHandlers {
  /** A complete MSG frame's payload (untrusted bytes). */
  onMessage(payload: Uint8Array): void;
  /** The host sent CANCEL (e.g. the merchant aborted while the band waits for the button) or disconnected. */
  cancelPending(): void;
}

export class Link {
  private readonly reassembler = new Reassembler({ maxMessageSize: MAX_MESSAGE_BYTES, timeoutMs: 2000 });
  private timeoutTimer = -1;
  private connected = false;

  constructor(
    private readonly radio: Radio,
    private readonly clock: Clock,
    private readonly handlers: LinkHandlers,
  ) {
    radio.onConnect(() => {
      this.connected = true;
      this.reassembler.reset();
    });
    radio.onDisconnect(() => {
      this.connected = false;
      this.reassembler.reset();
      this.cancelTimeout();
      handlers.cancelPending();
    });
    // A control-point write: one fragment of a message from the host.
    radio.onWrite((data) => {
      const ev = this.reassembler.push(data, this.clock.monotonicMs());
      this.cancelTimeout();
      if (ev.kind === 'none') {
        // Mid-message: arm the reassembly time-out so a vanished host frees the channel.
        this.timeoutTimer = this.clock.setTimer(2001, () => {
          this.timeoutTimer = -1;
          const late = this.reassembler.poll(this.clock.monotonicMs());
          if (late.kind === 'error') this.sendError(late.status);
        });
        return;
      }
      if (ev.kind === 'error') {
        this.sendError(ev.status);
        return;
      }
      if (ev.cmd === FrameCommand.PING) this.send(FrameCommand.PING, ev.payload);
      else if (ev.cmd === FrameCommand.CANCEL) this.handlers.cancelPending();
      else if (ev.cmd === FrameCommand.MSG) this.handlers.onMessage(ev.payload);
      else this.sendError(Status.UNKNOWN_COMMAND); // KEEPALIVE and ERROR travel band → host only
    });
  }

  isConnected(): boolean {
    return this.connected;
  }

  /** Sends one message in a MSG frame. */
  sendMessage(payload: Uint8Array): void {
    this.send(FrameCommand.MSG, payload);
  }

  sendKeepalive(status: StatusCode, remainingMs: number): void {
    this.send(FrameCommand.KEEPALIVE, encodeMessage({ type: 'keepalive', status, remainingMs }));
  }

  sendError(status: StatusCode): void {
    this.send(FrameCommand.ERROR, encodeMessage({ type: 'error', status }));
  }

  private send(cmd: number, payload: Uint8Array): void {
    if (!this.connected) return;
    const fragments = fragmentMessage(cmd, payload, this.radio.mtu());
    for (let i = 0; i < fragments.length; i++) this.radio.notify(fragments[i]);
  }

  private cancelTimeout(): void {
    if (this.timeoutTimer >= 0) this.clock.cancelTimer(this.timeoutTimer);
    this.timeoutTimer = -1;
  }
}
