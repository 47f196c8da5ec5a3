/**
 * The air between virtual controllers: advertising events, what scanners and initiators hear
 * in them, and the connections made from them (Core Vol 6 Part B §4.4). Each advertiser that
 * has advertising enabled sends one advertising event per advertising interval; in it every
 * scanning controller gets an LE Advertising Report (ADV_IND), an active scanner a second one
 * for the SCAN_RSP (§4.4.3.2), and an initiator looking for that address sends CONNECT_IND,
 * which makes the connection on both sides (§4.4.4). The advDelay the Link Layer adds (0–10 ms,
 * §4.4.2.2.1) is left out: the figures are about connections, not discovery.
 *
 * Connections run over the link model (connection.ts); its connection interval stands in for
 * the one the central's scheduler would pick within the host's range, and the interval the
 * hosts are told is that one, in 1.25 ms units, clamped to what they asked for.
 */
import { DEFAULT_LINK, type LinkConfig, checkLink } from '../../sim/band/link-model.ts';
import { Connection } from './connection.ts';
import { type ControllerOptions, VirtualController } from './controller.ts';

/** Advertising PDU types as advertising reports name them (Core Vol 4 Part E §7.7.65.2). */
const ADV_IND = 0x00;
const ADV_SCAN_IND = 0x02;
const ADV_NONCONN_IND = 0x03;
const SCAN_RSP = 0x04;

export interface AirOptions {
  /** The link every connection runs over (default: the simulator's, no delay). */
  link?: Partial<LinkConfig>;
  /** Where delivery errors go. */
  onError?: (err: unknown) => void;
}

export class VirtualAir {
  readonly link: LinkConfig;
  readonly connections: Connection[] = [];
  private readonly controllers: VirtualController[] = [];
  private readonly timers = new Map<VirtualController, { timer: NodeJS.Timeout; intervalMs: number }>();
  private readonly onError: (err: unknown) => void;

  constructor(opts: AirOptions = {}) {
    this.link = checkLink({ ...DEFAULT_LINK, ...opts.link });
    this.onError = opts.onError ?? ((e) => console.error('virtual air:', e));
  }

  controller(opts: ControllerOptions): VirtualController {
    const c = new VirtualController(this, opts);
    this.controllers.push(c);
    return c;
  }

  /** A controller's advertising, scanning or initiating state changed: (re)arm advertising events. */
  changed(): void {
    for (const c of this.controllers) {
      const adv = c.advertising();
      const armed = this.timers.get(c);
      if (adv && armed?.intervalMs === adv.intervalMs) continue;
      if (armed) clearInterval(armed.timer);
      this.timers.delete(c);
      if (!adv) continue;
      const timer = setInterval(() => this.advertisingEvent(c), adv.intervalMs);
      timer.unref();
      this.timers.set(c, { timer, intervalMs: adv.intervalMs });
      // The first advertising event goes out at once.
      setImmediate(() => this.advertisingEvent(c));
    }
  }

  close(): void {
    for (const { timer } of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    for (const conn of this.connections) conn.link.close();
  }

  private advertisingEvent(adv: VirtualController): void {
    const a = adv.advertising();
    if (!a) return;
    const connectable = a.type === 0 || a.type === 1 || a.type === 4;
    const scannable = a.type === 0 || a.type === 2;
    for (const c of this.controllers) {
      if (c === adv) continue;
      const want = c.initiatingTo();
      if (
        connectable &&
        want &&
        want.peerAddressType === a.addressType &&
        want.peerAddress.equals(a.address) &&
        c.ownAddress(want.ownAddressType)
      ) {
        const own = c.ownAddress(want.ownAddressType)!;
        const units = Math.round(this.link.ciMs / 1.25);
        const interval = Math.min(want.intervalMax, Math.max(want.intervalMin, units));
        const conn = new Connection(
          this.link,
          { interval, latency: want.latency, supervisionTimeout: want.supervisionTimeout },
          this.onError,
        );
        this.connections.push(conn);
        c.connected(conn, 'central', a.addressType, a.address);
        adv.connected(conn, 'peripheral', own.type, own.address);
        return; // the advertiser left the advertising state
      }
      const scan = c.scanning();
      if (!scan) continue;
      const type = connectable ? ADV_IND : scannable ? ADV_SCAN_IND : ADV_NONCONN_IND;
      c.report(type, a.addressType, a.address, a.data, adv.rssi);
      if (scan.active && scannable) c.report(SCAN_RSP, a.addressType, a.address, a.scanRsp, adv.rssi);
    }
  }
}
