/**
 * A controller's connections: their handles, the ACL data its host sends on them with the
 * flow control of Core Vol 4 Part E §4.1.1 (buffers granted by LE Read Buffer Size, returned
 * with Number Of Completed Packets, §7.7.19), what arrives from the peers, and the commands
 * that act on one connection (disconnect, RSSI, connection update, data length, PHY), with the
 * events the Link Layer procedures end in on both sides.
 */
import { type Connection, type ConnectionEnd, type Phy, type Role, other } from './connection.ts';
import { Err, Evt, H4, LeEvt, Op, Pb, u16 } from './hci.ts';

/** The buffers a controller has for LE ACL data from its host (§7.8.2): 251-byte packets, 8 of them. */
export const LE_ACL_LENGTH = 251;
export const LE_ACL_PACKETS = 8;

/** What the connections need of their controller: its way to the host, and the air. */
export interface HostSide {
  readonly rssi: number;
  toHost(packet: Buffer): void;
  event(code: number, params: Buffer): void;
  leEvent(subevent: number, params: Buffer): void;
  complete(opcode: number, status: number, ret?: number[] | Buffer): void;
  status(opcode: number, status: number): void;
  changed(): void;
}

interface Link {
  conn: Connection;
  role: Role;
}

export type Handler = (p: Buffer, opcode: number) => void;

export class ControllerLinks {
  /** ACL packets the host sent beyond the buffers it was granted (a host bug; tests expect 0). */
  overruns = 0;
  private readonly links = new Map<number, Link>();
  private nextHandle = 0x0040;
  private aclInFlight = 0;

  constructor(private readonly host: HostSide) {}

  /** A new connection in `role`: its handle. */
  add(conn: Connection, role: Role): number {
    const handle = this.nextHandle++;
    this.links.set(handle, { conn, role });
    conn.attach(role, this.end(handle, conn, role));
    return handle;
  }

  /** The controller resets or loses power: every link is gone here, and times out at its peer. */
  dropAll(): void {
    for (const { conn, role } of this.links.values()) conn.lost(role, Err.CONNECTION_TIMEOUT);
    this.links.clear();
    this.aclInFlight = 0;
  }

  /** Each handler answers with exactly one Command Complete or Command Status. */
  readonly commands: Record<number, Handler> = {
    [Op.READ_RSSI]: (p, o) => {
      const h = p.length === 2 ? p.readUInt16LE(0) : -1;
      const link = this.links.get(h);
      if (!link) return this.host.complete(o, Err.UNKNOWN_CONNECTION, [...u16(h & 0xfff), 0]);
      // The same path loss both ways: the peer hears this controller as strongly as it is heard.
      this.host.complete(o, Err.SUCCESS, [...u16(h), this.host.rssi & 0xff]);
    },
    [Op.DISCONNECT]: (p, o) => {
      const link = p.length === 3 ? this.links.get(p.readUInt16LE(0)) : undefined;
      if (!link) return this.host.status(o, Err.UNKNOWN_CONNECTION);
      this.host.status(o, Err.SUCCESS);
      link.conn.terminate(link.role, p[2], Err.LOCAL_HOST_TERMINATED);
    },
    [Op.LE_CONN_UPDATE]: (p, o) => {
      const link = p.length === 14 ? this.links.get(p.readUInt16LE(0)) : undefined;
      if (!link) return this.host.status(o, Err.UNKNOWN_CONNECTION);
      const min = p.readUInt16LE(2);
      const max = p.readUInt16LE(4);
      if (min < 6 || max > 0x0c80 || min > max) return this.host.status(o, Err.INVALID_PARAMETERS);
      this.host.status(o, Err.SUCCESS);
      const next = { interval: max, latency: p.readUInt16LE(6), supervisionTimeout: p.readUInt16LE(8) };
      // The connection update procedure (Core Vol 6 Part B §5.1.1): both hosts hear the new parameters.
      link.conn.procedure('interval', () => (link.conn.params = next), ['central', 'peripheral']);
    },
    [Op.LE_SET_DATA_LENGTH]: (p, o) => {
      const h = p.length === 6 ? p.readUInt16LE(0) : -1;
      const link = this.links.get(h);
      if (!link) return this.host.complete(o, Err.UNKNOWN_CONNECTION, u16(h & 0xfff));
      const octets = p.readUInt16LE(2);
      const time = p.readUInt16LE(4);
      if (octets < 27 || octets > 251 || time < 328 || time > 17040)
        return this.host.complete(o, Err.INVALID_PARAMETERS, u16(h));
      this.host.complete(o, Err.SUCCESS, u16(h));
      // The data length update procedure (Core Vol 6 Part B §5.1.9): both hosts hear the new values.
      link.conn.procedure(
        'data-length',
        () => (link.conn.dataLength[link.role] = { maxTxOctets: octets, maxTxTime: Math.min(time, 2120) }),
        ['central', 'peripheral'],
      );
    },
    [Op.LE_READ_PHY]: (p, o) => {
      const h = p.length === 2 ? p.readUInt16LE(0) : -1;
      const link = this.links.get(h);
      if (!link) return this.host.complete(o, Err.UNKNOWN_CONNECTION, [...u16(h & 0xfff), 0, 0]);
      this.host.complete(o, Err.SUCCESS, [...u16(h), link.conn.phy.tx, link.conn.phy.rx]);
    },
    [Op.LE_SET_PHY]: (p, o) => {
      const link = p.length === 7 ? this.links.get(p.readUInt16LE(0)) : undefined;
      if (!link) return this.host.status(o, Err.UNKNOWN_CONNECTION);
      this.host.status(o, Err.SUCCESS);
      // The PHY update procedure (Core Vol 6 Part B §5.1.10): LE 2M when both directions may use it.
      const wants2M = (p[2] & 1 ? 0x03 : p[3]) & (p[2] & 2 ? 0x03 : p[4]) & 0x02;
      const phy: Phy = wants2M ? 2 : 1;
      link.conn.procedure('phy', () => (link.conn.phy = { tx: phy, rx: phy }), ['central', 'peripheral']);
    },
  };

  // ---- ACL data (§5.4.2) ----

  acl(packet: Buffer): void {
    const header = packet.readUInt16LE(1);
    const handle = header & 0x0fff;
    const pb = (header >> 12) & 0x3;
    const data = packet.subarray(5, 5 + packet.readUInt16LE(3));
    const link = this.links.get(handle);
    if (!link?.conn.connected) return; // data for a handle that is gone is dropped
    if (data.length > LE_ACL_LENGTH || this.aclInFlight >= LE_ACL_PACKETS) {
      this.overruns++;
      return;
    }
    this.aclInFlight++;
    link.conn.send(link.role, pb, Buffer.from(data));
  }

  private end(handle: number, conn: Connection, role: Role): ConnectionEnd {
    return {
      handle,
      received: (pb, data) => {
        if (this.links.get(handle)?.conn !== conn) return;
        const out = Buffer.alloc(5 + data.length);
        out[0] = H4.ACL;
        out.writeUInt16LE(handle | ((pb === Pb.CONTINUING ? Pb.CONTINUING : Pb.FIRST_FLUSHABLE) << 12), 1);
        out.writeUInt16LE(data.length, 3);
        data.copy(out, 5);
        this.host.toHost(out);
      },
      completed: () => {
        if (this.links.get(handle)?.conn !== conn) return;
        this.aclInFlight = Math.max(0, this.aclInFlight - 1);
        // Number Of Completed Packets (§7.7.19): one handle, one packet.
        this.host.event(Evt.NUMBER_OF_COMPLETED_PACKETS, Buffer.from([1, ...u16(handle), ...u16(1)]));
      },
      terminated: (reason) => {
        if (this.links.get(handle)?.conn !== conn) return;
        this.links.delete(handle);
        // The host shall assume the packets it sent on the handle are flushed (§7.7.5).
        this.aclInFlight = 0;
        this.host.event(Evt.DISCONNECTION_COMPLETE, Buffer.from([Err.SUCCESS, ...u16(handle), reason]));
        this.host.changed();
      },
      updated: (what) => {
        if (this.links.get(handle)?.conn !== conn) return;
        if (what === 'interval') {
          const c = conn.params;
          this.host.leEvent(
            LeEvt.CONNECTION_UPDATE_COMPLETE,
            Buffer.from([
              Err.SUCCESS,
              ...u16(handle),
              ...u16(c.interval),
              ...u16(c.latency),
              ...u16(c.supervisionTimeout),
            ]),
          );
        } else if (what === 'data-length') {
          const tx = conn.dataLength[role];
          const rx = conn.dataLength[other(role)];
          this.host.leEvent(
            LeEvt.DATA_LENGTH_CHANGE,
            Buffer.from([
              ...u16(handle),
              ...u16(tx.maxTxOctets),
              ...u16(tx.maxTxTime),
              ...u16(rx.maxTxOctets),
              ...u16(rx.maxTxTime),
            ]),
          );
        } else {
          this.host.leEvent(
            LeEvt.PHY_UPDATE_COMPLETE,
            Buffer.from([Err.SUCCESS, ...u16(handle), conn.phy.tx, conn.phy.rx]),
          );
        }
      },
    };
  }
}
