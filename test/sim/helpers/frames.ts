/** Client-side framing for simulator tests: fragments out, reassembly and decoding in. */
import { FrameCommand } from '../../../shared/framing/commands.ts';
import { fragmentMessage } from '../../../shared/framing/fragment.ts';
import { Reassembler } from '../../../shared/framing/reassembler.ts';
import { decodeMessage, encodeMessage, type Message } from '../../../shared/messages/clear.ts';

/** HELLO_REQUEST as fragments for `mtu`. */
export function helloRequest(mtu: number): Uint8Array[] {
  return fragmentMessage(FrameCommand.MSG, encodeMessage({ type: 'hello-request' }), mtu);
}

/** Feeds notifications in; resolves decoded frames as they complete. */
export class FrameCollector {
  private readonly r = new Reassembler();
  readonly frames: { cmd: number; message: Message | null }[] = [];
  push(fragment: Uint8Array): void {
    const ev = this.r.push(fragment, Date.now());
    if (ev.kind !== 'frame') return;
    const d = decodeMessage(ev.payload);
    this.frames.push({ cmd: ev.cmd, message: d.ok ? d.value : null });
  }
}
