/**
 * Reassembly of fragments (one per GATT write or notification) into frames.
 *
 * Untrusted input: `push` never throws, whatever bytes arrive, and never holds more than
 * `maxMessageSize` bytes (the buffer is sized from the declared length, which is checked
 * first). Every accepted fragment carries at least one data byte, so a message makes
 * progress or fails. After any error the reassembler is idle and ready for a fresh message.
 *
 * Decisions (documented because the host side must match):
 * - An initial fragment while a message is mid-reassembly is CHANNEL_BUSY and drops BOTH the
 *   message in progress and the new fragment, as CTAP does for an unexpected INIT on a busy
 *   channel. This includes CANCEL: a host that cancels mid-upload gets CHANNEL_BUSY, which
 *   still leaves the link idle, i.e. cancelled. The host resends from the start.
 * - The time-out runs from the last accepted fragment (CTAP's per-fragment time-out), not from
 *   the first: at MTU 23 a 2048-byte message is 108 writes, which a slow connection interval
 *   needs seconds for. A message can therefore hold the link for at most
 *   128 × timeoutMs; `poll` fires it. A `push` after the deadline first drops the expired
 *   message: a continuation then gets REASSEMBLY_TIMEOUT, an initial fragment starts afresh.
 * - The reassembler does not know the MTU; fragments longer than mtu − 3 are accepted as long
 *   as the lengths add up (the ATT layer already bounds a write to 512 bytes).
 *
 * ES5 library only: bundled into the band image.
 */
import { Status } from '../status/codes.ts';
import type { StatusCode } from '../status/codes.ts';
import { isFrameCommand } from './commands.ts';
import type { FrameCommandCode } from './commands.ts';
import { CONT_HEADER_SIZE, INIT_HEADER_SIZE, MAX_MESSAGE_SIZE, MAX_SEQ } from './fragment.ts';

export type FrameEvent =
  | { kind: 'none' }
  | { kind: 'frame'; cmd: FrameCommandCode; payload: Uint8Array }
  | { kind: 'error'; status: StatusCode };

export interface ReassemblerOptions {
  /** Largest accepted message, 0..65535 (default MAX_MESSAGE_SIZE = 2048). */
  maxMessageSize?: number;
  /** Milliseconds allowed between two fragments of one message (default 2000). */
  timeoutMs?: number;
}

export const DEFAULT_REASSEMBLY_TIMEOUT_MS = 2000;

const NONE: FrameEvent = { kind: 'none' };

/**
 * One method per entry point (push, poll) with the fragment kinds as branches of push, not
 * helper methods: on the band every method costs ~190 bytes of heap.
 */
export class Reassembler {
  readonly maxMessageSize: number;
  readonly timeoutMs: number;
  private cmd: FrameCommandCode = 0x83;
  private buffer: Uint8Array | null = null; // non-null exactly while a message is in progress
  private filled = 0;
  private nextSeq = 0;
  private lastMs = 0;

  /** Throws a plain Error for bad options (a programmer error, not input). */
  constructor(options?: ReassemblerOptions) {
    const max = options && options.maxMessageSize !== undefined ? options.maxMessageSize : MAX_MESSAGE_SIZE;
    const timeout = options && options.timeoutMs !== undefined ? options.timeoutMs : DEFAULT_REASSEMBLY_TIMEOUT_MS;
    if (typeof max !== 'number' || Math.floor(max) !== max || max < 0 || max > 0xffff) {
      throw new Error('Reassembler: maxMessageSize must be an integer in 0..65535');
    }
    if (typeof timeout !== 'number' || !(timeout > 0) || !isFinite(timeout)) {
      throw new Error('Reassembler: timeoutMs must be a positive finite number');
    }
    this.maxMessageSize = max;
    this.timeoutMs = timeout;
  }

  /** True while a message is partly received. */
  get inProgress(): boolean {
    return this.buffer !== null;
  }

  /** When `poll` will fire the time-out (monotonic ms), or -1 when idle. */
  deadline(): number {
    return this.buffer === null ? -1 : this.lastMs + this.timeoutMs;
  }

  /** Drop any message in progress. */
  reset(): void {
    this.buffer = null;
    this.filled = 0;
    this.nextSeq = 0;
  }

  /** Fires REASSEMBLY_TIMEOUT once the gap since the last fragment reaches `timeoutMs`. */
  poll(nowMs: number): FrameEvent {
    // Written so that NaN or a clock that goes backwards never expires (nor throws).
    return this.buffer !== null && nowMs - this.lastMs >= this.timeoutMs ? this.fail(Status.REASSEMBLY_TIMEOUT) : NONE;
  }

  /** Feed one fragment (one GATT write or notification). Never throws. */
  push(fragment: Uint8Array, nowMs: number): FrameEvent {
    // An expired message is dropped first (the same test as poll's).
    const timedOut = this.buffer !== null && nowMs - this.lastMs >= this.timeoutMs;
    if (timedOut) this.reset();
    if (!(fragment instanceof Uint8Array) || fragment.length === 0) return this.fail(Status.MALFORMED);
    let buffer = this.buffer;
    if ((fragment[0] & 0x80) !== 0) {
      // An initial fragment.
      if (buffer !== null) return this.fail(Status.CHANNEL_BUSY);
      const cmd = fragment[0];
      if (!isFrameCommand(cmd)) return this.fail(Status.UNKNOWN_COMMAND);
      if (fragment.length < INIT_HEADER_SIZE) return this.fail(Status.MALFORMED);
      const declared = (fragment[1] << 8) | fragment[2];
      if (declared > this.maxMessageSize) return this.fail(Status.OVERSIZE);
      const data = fragment.length - INIT_HEADER_SIZE;
      if (data > declared) return this.fail(Status.OVERSIZE);
      // A non-empty message must start in its first fragment; an empty first fragment would let
      // a peer hold the channel without sending anything.
      if (declared > 0 && data === 0) return this.fail(Status.MALFORMED);
      buffer = new Uint8Array(declared);
      buffer.set(fragment.subarray(INIT_HEADER_SIZE), 0);
      if (data === declared) return { kind: 'frame', cmd: cmd, payload: buffer };
      this.cmd = cmd;
      this.buffer = buffer;
      this.filled = data;
      this.nextSeq = 0;
      this.lastMs = nowMs;
      return NONE;
    }
    // A continuation.
    if (timedOut) return this.fail(Status.REASSEMBLY_TIMEOUT);
    if (buffer === null) return this.fail(Status.INVALID_SEQUENCE);
    if (fragment.length < CONT_HEADER_SIZE + 1) return this.fail(Status.MALFORMED);
    // nextSeq can only pass MAX_SEQ with a maxMessageSize beyond what 128 continuations carry.
    if (fragment[0] !== this.nextSeq || this.nextSeq > MAX_SEQ) return this.fail(Status.INVALID_SEQUENCE);
    const data = fragment.length - CONT_HEADER_SIZE;
    if (this.filled + data > buffer.length) return this.fail(Status.OVERSIZE);
    buffer.set(fragment.subarray(CONT_HEADER_SIZE), this.filled);
    this.filled += data;
    this.nextSeq++;
    this.lastMs = nowMs;
    if (this.filled < buffer.length) return NONE;
    const cmd = this.cmd;
    this.reset();
    return { kind: 'frame', cmd: cmd, payload: buffer };
  }

  private fail(status: StatusCode): FrameEvent {
    this.reset();
    return { kind: 'error', status: status };
  }
}
