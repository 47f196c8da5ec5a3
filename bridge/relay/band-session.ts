/**
 * The relay's conversation with one band over a BandLink (docs/PROTOCOL.md §2, §5):
 * outgoing messages are fragmented to the link's MTU, notifications are reassembled,
 * and `request` waits — boundedly — for the band's reply.
 *
 * The session never decrypts: HELLO, CHALLENGE, ANSWER and RESULT pass through as the
 * sealed bytes they are. It only reads the clear-text frame layer: KEEPALIVE frames go to
 * a callback (the "press the button on your band" prompt) and stretch the silence budget;
 * ERROR frames, broken fragments, undecodable messages, silence and a dropped link all
 * reject the request with a BandRefusal carrying a status code. Nothing the band sends
 * makes it throw anything else, and no wait is unbounded (`maxWaitMs` caps even a band
 * that keeps sending keepalives).
 */
import { FrameCommand } from '../../shared/framing/commands.ts';
import { MAX_MESSAGE_SIZE, fragmentMessage } from '../../shared/framing/fragment.ts';
import { Reassembler } from '../../shared/framing/reassembler.ts';
import {
  type InfoMessage,
  type KeepaliveMessage,
  type Message,
  decodeMessage,
  decodeMessageOf,
  encodeMessage,
} from '../../shared/messages/clear.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import type { BandLink } from '../transport/types.ts';
import { BandRefusal } from './refusal.ts';

export interface RequestOptions {
  /** Longest silence from the band before TIMEOUT (default 5000 ms); a keepalive stretches it to its remainingMs + 2 s. */
  timeoutMs?: number;
  /** Hard cap on the whole request, keepalives included (default 60 000 ms). */
  maxWaitMs?: number;
  /** Each KEEPALIVE the band sends while it works or waits for its button. */
  onKeepalive?: (keepalive: KeepaliveMessage) => void;
}

/** The band's reply: the decoded message and the exact bytes it came in (relayed as they are). */
export interface Reply<M extends Message = Message> {
  message: M;
  bytes: Uint8Array;
}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: BandRefusal) => void;
  opts: RequestOptions;
  idle: ReturnType<typeof setTimeout> | null;
  /** The current silence budget (keepalives stretch it). */
  idleMs: number;
  hard: ReturnType<typeof setTimeout>;
  /** Writes are done: silence from now on counts. */
  sent: boolean;
}

const KEEPALIVE_GRACE_MS = 2000;

export class BandSession {
  /** Complete frames that arrived with no request waiting (late or unsolicited); dropped. */
  dropped = 0;
  private readonly reassembler = new Reassembler();
  private pending: Pending | null = null;
  private closed = false;
  private readonly detach: Array<() => void>;

  constructor(
    readonly link: BandLink,
    private readonly now: () => number = Date.now,
  ) {
    this.detach = [
      link.onNotify((f) => this.onFragment(f)),
      link.onDisconnect((reason) => {
        this.closed = true;
        this.fail(new BandRefusal(Status.UNREACHABLE, 'radio', `the band went away (${reason})`));
      }),
    ];
  }

  get mtu(): number {
    return this.link.mtu;
  }

  get connected(): boolean {
    return !this.closed && this.link.connected;
  }

  /** Reads and decodes the info characteristic. */
  async readInfo(): Promise<InfoMessage> {
    let bytes: Uint8Array;
    try {
      bytes = await this.link.readInfo();
    } catch (e) {
      throw radioRefusal(e, 'reading info');
    }
    const info = decodeMessageOf(bytes, 'info');
    if (!info.ok)
      throw new BandRefusal(
        info.status,
        'link',
        `the info characteristic holds no valid INFO (${info.detail ?? 'undecodable'})`,
      );
    return info.value;
  }

  /** Sends `message` (a Message, or the exact bytes of one) and resolves with the band's reply. */
  request(message: Message | Uint8Array, opts: RequestOptions = {}): Promise<Message> {
    return quiet(this.exchange(message, opts).then((r) => r.message));
  }

  /** As `request`, insisting on the reply's type (another type is a MALFORMED refusal). */
  expect<T extends Message['type']>(
    message: Message | Uint8Array,
    type: T,
    opts: RequestOptions = {},
  ): Promise<Reply<Extract<Message, { type: T }>>> {
    return quiet(
      this.exchange(message, opts).then((reply) => {
        if (reply.message.type !== type)
          throw new BandRefusal(Status.MALFORMED, 'link', `expected ${type} from the band, got ${reply.message.type}`);
        return reply as Reply<Extract<Message, { type: T }>>;
      }),
    );
  }

  /** As `request`, with the reply's bytes alongside (for relaying them unchanged). */
  exchange(message: Message | Uint8Array, opts: RequestOptions = {}): Promise<Reply> {
    if (!this.connected)
      return quiet(Promise.reject(new BandRefusal(Status.UNREACHABLE, 'radio', 'the band is not connected')));
    if (this.pending)
      return quiet(
        Promise.reject(new BandRefusal(Status.BUSY, 'local', 'another request is still waiting for the band')),
      );
    const fragments = this.fragments(message);
    if (!Array.isArray(fragments)) return quiet(Promise.reject(fragments));
    this.reassembler.reset();
    let mine: Pending | null = null;
    const reply = new Promise<Reply>((resolve, reject) => {
      const hard = setTimeout(
        () => this.expire(Status.TIMEOUT, 'the band did not finish in time'),
        opts.maxWaitMs ?? 60_000,
      );
      mine = { resolve, reject, opts, idle: null, idleMs: opts.timeoutMs ?? 5000, hard, sent: false };
    });
    this.pending = mine;
    if (mine) void this.upload(fragments, mine);
    return quiet(reply);
  }

  /** Writes a message that needs no reply (a RESULT); resolves once written. */
  async send(message: Message | Uint8Array): Promise<void> {
    if (!this.connected) throw new BandRefusal(Status.UNREACHABLE, 'radio', 'the band is not connected');
    if (this.pending) throw new BandRefusal(Status.BUSY, 'local', 'a request is still waiting for the band');
    const fragments = this.fragments(message);
    if (!Array.isArray(fragments)) throw fragments;
    try {
      for (const f of fragments) await this.link.write(f);
    } catch (e) {
      throw radioRefusal(e, 'writing to the band');
    }
  }

  /** Asks the band to abandon what it is doing (CANCEL frame); best effort. */
  async cancel(): Promise<void> {
    if (!this.connected) return;
    try {
      for (const f of fragmentMessage(FrameCommand.CANCEL, new Uint8Array(0), this.link.mtu)) await this.link.write(f);
    } catch {
      // the band is gone or busy; either way it will time out on its own
    }
  }

  /** Rejects anything pending, stops listening and disconnects the link. */
  async close(): Promise<void> {
    this.fail(new BandRefusal(Status.UNREACHABLE, 'local', 'the session was closed'));
    this.closed = true;
    for (const d of this.detach) d();
    await this.link.disconnect();
  }

  private fragments(message: Message | Uint8Array): Uint8Array[] | BandRefusal {
    const bytes = message instanceof Uint8Array ? message : encodeMessage(message);
    if (bytes.length === 0 || bytes.length > MAX_MESSAGE_SIZE)
      return new BandRefusal(
        Status.OVERSIZE,
        'local',
        `a message of ${bytes.length} bytes cannot be sent (1..${MAX_MESSAGE_SIZE})`,
      );
    return fragmentMessage(FrameCommand.MSG, bytes, this.link.mtu);
  }

  private async upload(fragments: Uint8Array[], mine: Pending): Promise<void> {
    try {
      for (const f of fragments) {
        if (this.pending !== mine) return; // the band answered (or refused) mid-upload
        await this.link.write(f);
      }
    } catch (e) {
      if (this.pending === mine) this.fail(radioRefusal(e, 'writing to the band'));
      return;
    }
    if (this.pending !== mine) return;
    mine.sent = true;
    this.armIdle(mine.idleMs);
  }

  /** (Re)starts the silence timer; before the upload is done it only records the budget. */
  private armIdle(ms: number): void {
    const p = this.pending;
    if (!p) return;
    p.idleMs = ms;
    if (!p.sent) return;
    if (p.idle) clearTimeout(p.idle);
    p.idle = setTimeout(() => {
      const mid = this.reassembler.inProgress;
      this.expire(
        mid ? Status.REASSEMBLY_TIMEOUT : Status.TIMEOUT,
        mid ? 'the band stopped mid-message' : 'the band did not answer',
      );
    }, ms);
  }

  private expire(status: StatusCode, detail: string): void {
    if (!this.pending) return;
    this.reassembler.reset();
    this.fail(new BandRefusal(status, 'timeout', detail));
    void this.cancel();
  }

  private onFragment(fragment: Uint8Array): void {
    const ev = this.reassembler.push(fragment, this.now());
    if (ev.kind === 'none') {
      // Progress on a multi-fragment reply: silence counts from here.
      if (this.pending) this.armIdle(Math.max(this.pending.idleMs, this.pending.opts.timeoutMs ?? 5000));
      return;
    }
    if (ev.kind === 'error') {
      if (this.pending)
        this.fail(new BandRefusal(ev.status, 'link', 'the band sent a fragment that does not reassemble'));
      return;
    }
    const p = this.pending;
    if (!p) {
      this.dropped++;
      return;
    }
    const decoded = decodeMessage(ev.payload);
    if (!decoded.ok)
      return this.fail(
        new BandRefusal(
          decoded.status,
          'link',
          `the band sent an undecodable frame (${decoded.detail ?? 'no detail'})`,
        ),
      );
    const m = decoded.value;
    switch (ev.cmd) {
      case FrameCommand.MSG:
        if (m.type === 'keepalive' || m.type === 'error')
          return this.fail(new BandRefusal(Status.MALFORMED, 'link', `a ${m.type} message in a MSG frame`));
        return this.succeed({ message: m, bytes: ev.payload });
      case FrameCommand.ERROR:
        if (m.type !== 'error')
          return this.fail(new BandRefusal(Status.MALFORMED, 'link', `an ERROR frame holding ${m.type}`));
        return this.fail(new BandRefusal(m.status, 'band', 'the band refused the request'));
      case FrameCommand.KEEPALIVE:
        if (m.type !== 'keepalive')
          return this.fail(new BandRefusal(Status.MALFORMED, 'link', `a KEEPALIVE frame holding ${m.type}`));
        this.armIdle(Math.max(p.opts.timeoutMs ?? 5000, m.remainingMs + KEEPALIVE_GRACE_MS));
        try {
          p.opts.onKeepalive?.(m);
        } catch {
          // a prompt that fails must not break the relay
        }
        return;
      default:
        return this.fail(
          new BandRefusal(Status.UNKNOWN_COMMAND, 'link', `unexpected frame 0x${ev.cmd.toString(16)} from the band`),
        );
    }
  }

  private succeed(reply: Reply): void {
    const p = this.take();
    p?.resolve(reply);
  }

  private fail(refusal: BandRefusal): void {
    const p = this.take();
    p?.reject(refusal);
  }

  private take(): Pending | null {
    const p = this.pending;
    if (!p) return null;
    this.pending = null;
    clearTimeout(p.hard);
    if (p.idle) clearTimeout(p.idle);
    return p;
  }
}

/**
 * A refusal is an answer, not a crash: the promises the session hands out never count as
 * unhandled rejections while the caller has not attached its handler yet (it still gets
 * the rejection when it awaits).
 */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function radioRefusal(e: unknown, what: string): BandRefusal {
  if (e instanceof BandRefusal) return e;
  if (e instanceof WristpayError) return new BandRefusal(e.status, 'radio', `${what}: ${e.message}`);
  return new BandRefusal(Status.UNREACHABLE, 'radio', `${what}: ${e instanceof Error ? e.message : String(e)}`);
}
