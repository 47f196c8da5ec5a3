/**
 * The link as the Core spec's Link Layer runs it (`model: 'spec'`), beside the conservative
 * one-fragment-per-event model it extends (link-model.ts): in each connection event the
 * central and the band exchange packets while either has More Data, every L2CAP frame split
 * into PDUs of the data length, each packet taking the PHY's air time, the event ending at
 * its length limit (ll-timing.ts has the rules and their sections).
 *
 * What crosses is an L2CAP frame: over the websocket radio a GATT value with its 7 octets of
 * L2CAP and ATT header, and each write's ATT Write Response (5 octets) on its own, back down
 * the link (`responsesOnAir`); over HCI an ACL packet as the host sent it. A frame is
 * delivered when its last PDU ends on the air. At ci = 0 nothing waits, as in the other model.
 */
import { type Direction, type LinkConfig, LinkModel, type Pending } from './link-model.ts';
import { MAX_LL_OCTETS, type PduSent, planEvent } from './ll-timing.ts';

interface Due {
  atMs: number;
  deliver: () => void;
}

export class SpecLinkModel extends LinkModel {
  override readonly responsesOnAir = true;
  /** Deliveries of the current event, in the order their last PDU ends on the air. */
  private due: Due[] = [];
  private dueTimer: NodeJS.Timeout | null = null;

  override send(dir: Direction, bytes: number, deliver: () => void, header = 0): void {
    if (!this.open) return;
    if (this.config.ciMs > 0) return super.send(dir, bytes, deliver, header);
    const c = this.counts[dir];
    c.pdus = (c.pdus ?? 0) + Math.max(1, Math.ceil((bytes + header) / this.octets));
    c.octets = (c.octets ?? 0) + bytes + header;
    if (bytes > 0) {
      c.fragments++;
      c.bytes += bytes;
    }
    this.run(deliver);
  }

  override close(): void {
    super.close();
    this.due = [];
    if (this.dueTimer !== null) clearTimeout(this.dueTimer);
    this.dueTimer = null;
  }

  override counters(): ReturnType<LinkModel['counters']> {
    const c = super.counters();
    for (const dir of ['up', 'down'] as const) {
      c[dir].pdus ??= 0;
      c[dir].octets ??= 0;
    }
    return c;
  }

  private get octets(): number {
    return this.config.octets ?? MAX_LL_OCTETS;
  }

  protected override event(): void {
    this.timer = null;
    this.flushDue(Number.POSITIVE_INFINITY); // a late timer: the last event's deliveries come first
    if (!this.open) return;
    const ci = this.config.ciMs;
    const ce = this.config.ceMs ?? 0;
    const plan = planEvent(
      { up: this.queues.up.map(left), down: this.queues.down.map(left) },
      { phy: this.config.phy ?? 2, maxOctets: this.octets, budgetUs: 1000 * (ce > 0 ? Math.min(ce, ci) : ci) },
      () => this.lost(),
    );
    if (plan.pdus.length > 0) this.counts.connectionEvents++;
    const used = new Set<Direction>();
    const start = performance.now();
    for (const pdu of plan.pdus) {
      used.add(pdu.dir);
      this.take(pdu, start);
    }
    for (const dir of used) this.counts[dir].events++;
    this.flushDue(performance.now());
    if (this.queues.up.length > 0 || this.queues.down.length > 0) this.schedule();
  }

  /** One PDU on the air: counted; the frame it ends is taken off the queue and delivered at its end. */
  private take(pdu: PduSent, start: number): void {
    const c = this.counts[pdu.dir];
    c.pdus = (c.pdus ?? 0) + 1;
    c.octets = (c.octets ?? 0) + pdu.octets;
    if (pdu.lost) {
      c.retransmissions++;
      return;
    }
    const head = this.queues[pdu.dir][0];
    head.sent += pdu.octets;
    if (head.sent < head.bytes + head.header) return;
    this.queues[pdu.dir].shift();
    if (head.bytes > 0) {
      c.fragments++;
      c.bytes += head.bytes;
    }
    this.due.push({ atMs: start + pdu.endUs / 1000, deliver: head.deliver });
  }

  /** Delivers, in order, what has crossed by `now`; waits for the rest. */
  private flushDue(now: number): void {
    if (this.dueTimer !== null) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    while (this.due.length > 0 && this.open) {
      const next = this.due[0];
      if (next.atMs > now) {
        this.dueTimer = setTimeout(() => this.flushDue(performance.now()), next.atMs - now);
        return;
      }
      this.due.shift();
      this.run(next.deliver);
    }
  }
}

const left = (p: Pending): number => p.bytes + p.header - p.sent;

/** The link model a configuration asks for. */
export function createLinkModel(config: LinkConfig, onError?: (err: unknown) => void): LinkModel {
  return config.model === 'spec' ? new SpecLinkModel(config, onError) : new LinkModel(config, onError);
}
