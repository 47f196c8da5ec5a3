/**
 * One LE connection between two virtual controllers: its parameters and the link it runs
 * over. Data crosses through the simulator's link model, the same connection-interval, loss
 * and retransmission model the websocket radio uses: on the conservative one
 * (sim/band/link-model.ts) one HCI ACL packet is one link-layer PDU; on the spec one
 * (sim/band/spec-link-model.ts, `model: 'spec'`) an ACL packet is split into PDUs of the
 * model's data length and several go in one event. `up` is central → peripheral, `down`
 * peripheral → central.
 * The Link Layer acknowledges a PDU when the peer receives it; only then does the sending
 * controller count the packet completed (Number Of Completed Packets, Core Vol 4 Part E
 * §4.1.1 and §7.7.19).
 */
import type { LinkConfig, LinkModel } from '../../sim/band/link-model.ts';
import { createLinkModel } from '../../sim/band/spec-link-model.ts';

export type Role = 'central' | 'peripheral';

/** What a controller hears about one of its connections. */
export interface ConnectionEnd {
  readonly handle: number;
  /** An ACL packet from the peer crossed the air (pb: Core Vol 4 Part E §5.4.2). */
  received(pb: number, data: Buffer): void;
  /** One of our own ACL packets was acknowledged by the peer's Link Layer. */
  completed(): void;
  /** The connection is gone (reason: an HCI error code). */
  terminated(reason: number): void;
  /** A procedure changed a parameter of the connection (the interval, the data length, the PHY). */
  updated(what: 'interval' | 'data-length' | 'phy'): void;
}

export interface ConnectionParams {
  /** In 1.25 ms units (Core Vol 4 Part E §7.8.12). */
  interval: number;
  latency: number;
  /** In 10 ms units. */
  supervisionTimeout: number;
}

export interface DataLength {
  maxTxOctets: number;
  maxTxTime: number;
}

/** LE 1M = 1, LE 2M = 2 (Core Vol 4 Part E §7.7.65.12). */
export type Phy = 1 | 2;

export class Connection {
  readonly link: LinkModel;
  private readonly ends = new Map<Role, ConnectionEnd>();
  private open = true;
  /** Per direction of transmission: what the sender's controller may put in one PDU (Core Vol 6 Part B §4.5.10). */
  readonly dataLength: Record<Role, DataLength> = {
    central: { maxTxOctets: 27, maxTxTime: 328 },
    peripheral: { maxTxOctets: 27, maxTxTime: 328 },
  };
  phy: { tx: Phy; rx: Phy } = { tx: 1, rx: 1 };

  constructor(
    link: LinkConfig,
    public params: ConnectionParams,
    onError: (err: unknown) => void,
  ) {
    this.link = createLinkModel(link, onError);
    this.link.connect();
  }

  attach(role: Role, end: ConnectionEnd): void {
    this.ends.set(role, end);
  }

  get connected(): boolean {
    return this.open;
  }

  /** One ACL packet from `from`'s host onto the air. */
  send(from: Role, pb: number, data: Buffer): void {
    if (!this.open) return;
    const to = other(from);
    this.link.send(from === 'central' ? 'up' : 'down', data.length, () => {
      this.ends.get(to)?.received(pb, data);
      this.ends.get(from)?.completed();
    });
  }

  /**
   * LL_TERMINATE_IND from `by` (Core Vol 6 Part B §5.1.3): the peer hears `reason`, `by`
   * hears Connection Terminated By Local Host, both once the next connection event is over.
   */
  terminate(by: Role, reason: number, localReason: number): void {
    if (!this.open) return;
    this.open = false;
    this.link.close();
    const later = Math.max(1, this.link.config.ciMs);
    setTimeout(() => {
      this.ends.get(other(by))?.terminated(reason);
      this.ends.get(by)?.terminated(localReason);
    }, later).unref();
  }

  /** The peer vanished (its controller reset or lost power): the survivor times out (Core Vol 6 Part B §4.5.2). */
  lost(by: Role, reason: number): void {
    if (!this.open) return;
    this.open = false;
    this.link.close();
    setTimeout(() => this.ends.get(other(by))?.terminated(reason), this.params.supervisionTimeout * 10).unref();
  }

  /** A procedure both controllers see complete (connection update, PHY update), after one connection event. */
  procedure(what: 'interval' | 'data-length' | 'phy', apply: () => void, notify: Role[]): void {
    setTimeout(
      () => {
        if (!this.open) return;
        apply();
        for (const role of notify) this.ends.get(role)?.updated(what);
      },
      Math.max(1, this.link.config.ciMs),
    ).unref();
  }
}

export function other(role: Role): Role {
  return role === 'central' ? 'peripheral' : 'central';
}
