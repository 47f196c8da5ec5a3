/**
 * One virtual BLE controller: the Controller side of HCI (Core Vol 4 Part E) for the commands
 * noble and bleno send (docs/RADIO.md lists them), with the Link Layer behaviour behind them
 * delegated to the air (air.ts: advertising, scanning, connecting) and to each connection
 * (connection.ts: data, termination, procedures). Packets arrive from the host whole
 * (h4-server.ts frames the stream); `toHost` sends whole packets back.
 *
 * Commands are answered in order; every Command Complete and Command Status grants one more
 * command (Num_HCI_Command_Packets = 1, §7.7.14), which the host side honours (hci-socket-shim.ts
 * queues as the kernel does). Events are filtered by the host's event masks (§7.3.1, §7.8.1).
 */
import { type Connection, type ConnectionEnd, type Phy, type Role, other } from './connection.ts';
import { Err, Evt, H4, LeEvt, Op, Pb } from './hci.ts';

/** The buffers this controller has for LE ACL data from its host (§7.8.2): 251-byte packets, 8 of them. */
export const LE_ACL_LENGTH = 251;
export const LE_ACL_PACKETS = 8;
/** Event masks after power-on and Reset (§7.3.1, §7.8.1). */
const DEFAULT_EVENT_MASK = 0x00001fffffffffffn;
const DEFAULT_LE_EVENT_MASK = 0x1fn;

interface Advertising {
  intervalMs: number;
  /** 0 ADV_IND, 1 high duty directed, 2 ADV_SCAN_IND, 3 ADV_NONCONN_IND, 4 low duty directed (§7.8.5). */
  type: number;
  ownAddressType: number;
}

interface Scanning {
  active: boolean;
  ownAddressType: number;
}

export interface Initiating {
  peerAddressType: number;
  peerAddress: Buffer;
  ownAddressType: number;
  intervalMin: number;
  intervalMax: number;
  latency: number;
  supervisionTimeout: number;
}

interface Link {
  conn: Connection;
  role: Role;
}

/** What a controller tells the air (air.ts): its advertising, scanning or initiating changed. */
export interface AirSide {
  changed(): void;
}

export interface ControllerOptions {
  /** The public address (BD_ADDR), "aa:bb:…" most significant first. */
  address: string;
  /** The RSSI other controllers report for this one, in dBm. */
  rssi?: number;
}

export class VirtualController {
  readonly publicAddress: Buffer;
  readonly rssi: number;
  /** Where packets for the host go (h4-server.ts sets it while a host is attached). */
  toHost: (packet: Buffer) => void = () => undefined;
  /** ACL packets the host sent beyond the buffers it was granted (a host bug; tests expect 0). */
  overruns = 0;

  private eventMask = DEFAULT_EVENT_MASK;
  private leEventMask = DEFAULT_LE_EVENT_MASK;
  private leHostSupported = 0;
  private randomAddress: Buffer | null = null;
  private advParams: Advertising = { intervalMs: 1.28 * 1000, type: 0, ownAddressType: 0 };
  private advData: Buffer = Buffer.alloc(0);
  private scanRspData: Buffer = Buffer.alloc(0);
  private advEnabled = false;
  private scanParams: Scanning = { active: false, ownAddressType: 0 };
  private scanEnabled = false;
  private filterDuplicates = false;
  private readonly reported = new Set<string>();
  private initiating: Initiating | null = null;
  private readonly links = new Map<number, Link>();
  private nextHandle = 0x0040;
  private aclInFlight = 0;
  private defaultPhy: { tx: number; rx: number } = { tx: 0x03, rx: 0x03 };

  constructor(
    private readonly air: AirSide,
    opts: ControllerOptions,
  ) {
    this.publicAddress = Buffer.from(opts.address.split(':').reverse().join(''), 'hex');
    this.rssi = opts.rssi ?? -50;
  }

  // ---- what the air asks ----

  /** The address an own-address-type selects: 0 public, 1 random (§7.8.5); null when random is unset. */
  ownAddress(type: number): { type: number; address: Buffer } | null {
    if (type === 0x01 || type === 0x03) return this.randomAddress ? { type: 1, address: this.randomAddress } : null;
    return { type: 0, address: this.publicAddress };
  }

  advertising(): (Advertising & { address: Buffer; addressType: number; data: Buffer; scanRsp: Buffer }) | null {
    if (!this.advEnabled) return null;
    const own = this.ownAddress(this.advParams.ownAddressType);
    if (!own) return null;
    return {
      ...this.advParams,
      address: own.address,
      addressType: own.type,
      data: this.advData,
      scanRsp: this.scanRspData,
    };
  }

  scanning(): Scanning | null {
    return this.scanEnabled ? this.scanParams : null;
  }

  initiatingTo(): Initiating | null {
    return this.initiating;
  }

  /** An advertising PDU (or a scan response) heard while scanning: LE Advertising Report (§7.7.65.2). */
  report(eventType: number, addressType: number, address: Buffer, data: Buffer, rssi: number): void {
    const key = `${eventType}/${addressType}/${address.toString('hex')}`;
    if (this.filterDuplicates && this.reported.has(key)) return;
    this.reported.add(key);
    const p = Buffer.alloc(12 + data.length);
    p[0] = 1; // Num_Reports
    p[1] = eventType;
    p[2] = addressType;
    address.copy(p, 3);
    p[9] = data.length;
    data.copy(p, 10);
    p.writeInt8(rssi, 10 + data.length);
    this.leEvent(LeEvt.ADVERTISING_REPORT, p.subarray(0, 11 + data.length));
  }

  /** A connection was made (CONNECT_IND sent or received): LE (Enhanced) Connection Complete (§7.7.65.1, §7.7.65.10). */
  connected(conn: Connection, role: Role, peerAddressType: number, peerAddress: Buffer): void {
    if (role === 'central') this.initiating = null;
    else this.advEnabled = false; // advertising ends when a connection is created (§7.8.9)
    const handle = this.nextHandle++;
    this.links.set(handle, { conn, role });
    conn.attach(role, this.end(handle, conn, role));
    this.connectionComplete(Err.SUCCESS, handle, role === 'central' ? 0 : 1, peerAddressType, peerAddress, conn);
    this.air.changed();
  }

  // ---- from the host ----

  fromHost(packet: Buffer): void {
    if (packet[0] === H4.COMMAND) this.command(packet.readUInt16LE(1), packet.subarray(4, 4 + packet[3]));
    else if (packet[0] === H4.ACL) this.acl(packet);
  }

  /** The host went away: the controller is powered off. Its peers time out (Core Vol 6 Part B §4.5.2). */
  powerOff(): void {
    for (const { conn, role } of this.links.values()) conn.lost(role, Err.CONNECTION_TIMEOUT);
    this.reset();
  }

  private reset(): void {
    this.links.clear();
    this.eventMask = DEFAULT_EVENT_MASK;
    this.leEventMask = DEFAULT_LE_EVENT_MASK;
    this.randomAddress = null;
    this.advEnabled = this.scanEnabled = false;
    this.initiating = null;
    this.aclInFlight = 0;
    this.reported.clear();
    this.air.changed();
  }

  private command(opcode: number, p: Buffer): void {
    const handler = this.commands[opcode];
    if (!handler) return this.complete(opcode, Err.UNKNOWN_COMMAND); // §4.5: unknown commands
    handler(p, opcode);
  }

  /** Each handler answers with exactly one Command Complete or Command Status. */
  private readonly commands: Record<number, (p: Buffer, opcode: number) => void> = {
    [Op.RESET]: (_p, o) => {
      for (const { conn, role } of this.links.values()) conn.lost(role, Err.CONNECTION_TIMEOUT);
      this.reset();
      this.complete(o, Err.SUCCESS);
    },
    [Op.SET_EVENT_MASK]: (p, o) => this.withLength(o, p, 8, () => (this.eventMask = p.readBigUInt64LE(0))),
    [Op.LE_SET_EVENT_MASK]: (p, o) => this.withLength(o, p, 8, () => (this.leEventMask = p.readBigUInt64LE(0))),
    [Op.READ_LE_HOST_SUPPORTED]: (_p, o) => this.complete(o, Err.SUCCESS, [this.leHostSupported, 0]),
    [Op.WRITE_LE_HOST_SUPPORTED]: (p, o) => this.withLength(o, p, 2, () => (this.leHostSupported = p[0])),
    // HCI and LMP version 0x0d = Core 5.4; company 0xffff = none assigned, for tests (§7.4.1).
    [Op.READ_LOCAL_VERSION]: (_p, o) => this.complete(o, Err.SUCCESS, [0x0d, 0x00, 0x00, 0x0d, 0xff, 0xff, 0x00, 0x00]),
    [Op.READ_LOCAL_COMMANDS]: (_p, o) => this.complete(o, Err.SUCCESS, supportedCommands()),
    // LMP features: bit 37 BR/EDR Not Supported, bit 38 LE Supported (Controller) (Core Vol 2 Part C §3.3).
    [Op.READ_LOCAL_FEATURES]: (_p, o) => this.complete(o, Err.SUCCESS, [0, 0, 0, 0, 0x60, 0, 0, 0]),
    // The LE-only controller shares its LE buffers; no synchronous buffers (§7.4.5).
    [Op.READ_BUFFER_SIZE]: (_p, o) =>
      this.complete(o, Err.SUCCESS, [...u16(LE_ACL_LENGTH), 0, ...u16(LE_ACL_PACKETS), 0, 0]),
    [Op.READ_BD_ADDR]: (_p, o) => this.complete(o, Err.SUCCESS, [...this.publicAddress]),
    [Op.READ_RSSI]: (p, o) => {
      const h = p.readUInt16LE(0);
      const link = this.links.get(h);
      this.complete(o, link ? Err.SUCCESS : Err.UNKNOWN_CONNECTION, [...u16(h), link ? this.rssi & 0xff : 0]);
    },
    [Op.LE_READ_BUFFER_SIZE]: (_p, o) => this.complete(o, Err.SUCCESS, [...u16(LE_ACL_LENGTH), LE_ACL_PACKETS]),
    // LE features: bit 5 LE Data Packet Length Extension, bit 8 LE 2M PHY (Core Vol 6 Part B §4.6).
    [Op.LE_READ_LOCAL_FEATURES]: (_p, o) => this.complete(o, Err.SUCCESS, [0x20, 0x01, 0, 0, 0, 0, 0, 0]),
    [Op.LE_SET_RANDOM_ADDRESS]: (p, o) => {
      if (this.advEnabled || this.scanEnabled || this.initiating) return this.complete(o, Err.COMMAND_DISALLOWED);
      this.withLength(o, p, 6, () => (this.randomAddress = Buffer.from(p)));
    },
    [Op.LE_SET_ADV_PARAMS]: (p, o) => {
      if (this.advEnabled) return this.complete(o, Err.COMMAND_DISALLOWED);
      if (p.length !== 15) return this.complete(o, Err.INVALID_PARAMETERS);
      const min = p.readUInt16LE(0);
      const max = p.readUInt16LE(2);
      const type = p[4];
      const directedHigh = type === 1;
      if (type > 4 || p[5] > 3 || p[13] === 0 || (!directedHigh && (min < 0x20 || max > 0x4000 || min > max)))
        return this.complete(o, Err.INVALID_PARAMETERS);
      this.advParams = { intervalMs: min * 0.625, type, ownAddressType: p[5] };
      this.complete(o, Err.SUCCESS);
    },
    [Op.LE_SET_ADV_DATA]: (p, o) => this.setData(o, p, (d) => (this.advData = d)),
    [Op.LE_SET_SCAN_RSP_DATA]: (p, o) => this.setData(o, p, (d) => (this.scanRspData = d)),
    [Op.LE_SET_ADV_ENABLE]: (p, o) => {
      if (p.length !== 1 || p[0] > 1) return this.complete(o, Err.INVALID_PARAMETERS);
      if (p[0] === 1 && !this.ownAddress(this.advParams.ownAddressType))
        return this.complete(o, Err.INVALID_PARAMETERS); // random address not set (§7.8.9)
      this.advEnabled = p[0] === 1;
      this.complete(o, Err.SUCCESS);
      this.air.changed();
    },
    [Op.LE_SET_SCAN_PARAMS]: (p, o) => {
      if (this.scanEnabled) return this.complete(o, Err.COMMAND_DISALLOWED);
      if (p.length !== 7 || p[0] > 1 || p.readUInt16LE(3) > p.readUInt16LE(1) || p[5] > 3)
        return this.complete(o, Err.INVALID_PARAMETERS);
      this.scanParams = { active: p[0] === 1, ownAddressType: p[5] };
      this.complete(o, Err.SUCCESS);
    },
    [Op.LE_SET_SCAN_ENABLE]: (p, o) => {
      if (p.length !== 2 || p[0] > 1 || p[1] > 1) return this.complete(o, Err.INVALID_PARAMETERS);
      if (p[0] === 1 && !this.ownAddress(this.scanParams.ownAddressType))
        return this.complete(o, Err.INVALID_PARAMETERS);
      if (p[0] === 1 && !this.scanEnabled) this.reported.clear(); // duplicate filter resets per enable (§7.8.11)
      this.scanEnabled = p[0] === 1;
      this.filterDuplicates = p[1] === 1;
      this.complete(o, Err.SUCCESS);
      this.air.changed();
    },
    [Op.LE_CREATE_CONN]: (p, o) => {
      if (this.initiating) return this.status(o, Err.COMMAND_DISALLOWED);
      if (p.length !== 25 || p[5] > 1 || p.readUInt16LE(13) > p.readUInt16LE(15) || p.readUInt16LE(13) < 6)
        return this.status(o, Err.INVALID_PARAMETERS);
      if (!this.ownAddress(p[12])) return this.status(o, Err.INVALID_PARAMETERS);
      this.initiating = {
        peerAddressType: p[5],
        peerAddress: Buffer.from(p.subarray(6, 12)),
        ownAddressType: p[12],
        intervalMin: p.readUInt16LE(13),
        intervalMax: p.readUInt16LE(15),
        latency: p.readUInt16LE(17),
        supervisionTimeout: p.readUInt16LE(19),
      };
      this.status(o, Err.SUCCESS);
      this.air.changed();
    },
    [Op.LE_CREATE_CONN_CANCEL]: (_p, o) => {
      if (!this.initiating) return this.complete(o, Err.COMMAND_DISALLOWED);
      const peer = this.initiating;
      this.initiating = null;
      this.complete(o, Err.SUCCESS);
      // The pending LE Create Connection ends with Unknown Connection Identifier (§7.8.13).
      this.connectionComplete(Err.UNKNOWN_CONNECTION, 0, 0, peer.peerAddressType, peer.peerAddress);
      this.air.changed();
    },
    [Op.DISCONNECT]: (p, o) => {
      const link = p.length === 3 ? this.links.get(p.readUInt16LE(0)) : undefined;
      if (!link) return this.status(o, Err.UNKNOWN_CONNECTION);
      this.status(o, Err.SUCCESS);
      link.conn.terminate(link.role, p[2], Err.LOCAL_HOST_TERMINATED);
    },
    [Op.LE_CONN_UPDATE]: (p, o) => {
      const link = p.length === 14 ? this.links.get(p.readUInt16LE(0)) : undefined;
      if (!link) return this.status(o, Err.UNKNOWN_CONNECTION);
      const min = p.readUInt16LE(2);
      const max = p.readUInt16LE(4);
      if (min < 6 || max > 0x0c80 || min > max) return this.status(o, Err.INVALID_PARAMETERS);
      this.status(o, Err.SUCCESS);
      const next = { interval: max, latency: p.readUInt16LE(6), supervisionTimeout: p.readUInt16LE(8) };
      // The connection update procedure (Core Vol 6 Part B §5.1.1); the central's host always hears.
      link.conn.procedure('interval', () => (link.conn.params = next), ['central', 'peripheral']);
    },
    [Op.LE_SET_DATA_LENGTH]: (p, o) => {
      const h = p.length === 6 ? p.readUInt16LE(0) : -1;
      const link = this.links.get(h);
      if (!link) return this.complete(o, Err.UNKNOWN_CONNECTION, u16(h & 0xfff));
      const octets = p.readUInt16LE(2);
      const time = p.readUInt16LE(4);
      if (octets < 27 || octets > 251 || time < 328 || time > 17040)
        return this.complete(o, Err.INVALID_PARAMETERS, u16(h));
      this.complete(o, Err.SUCCESS, u16(h));
      // The data length update procedure (Core Vol 6 Part B §5.1.9): both hosts hear the new values.
      link.conn.procedure(
        'data-length',
        () => (link.conn.dataLength[link.role] = { maxTxOctets: octets, maxTxTime: Math.min(time, 2120) }),
        ['central', 'peripheral'],
      );
    },
    [Op.LE_READ_DEFAULT_DATA_LENGTH]: (_p, o) => this.complete(o, Err.SUCCESS, [...u16(27), ...u16(328)]),
    [Op.LE_WRITE_DEFAULT_DATA_LENGTH]: (p, o) => this.withLength(o, p, 4, () => undefined),
    [Op.LE_READ_MAX_DATA_LENGTH]: (_p, o) =>
      this.complete(o, Err.SUCCESS, [...u16(251), ...u16(2120), ...u16(251), ...u16(2120)]),
    [Op.LE_READ_PHY]: (p, o) => {
      const h = p.length === 2 ? p.readUInt16LE(0) : -1;
      const link = this.links.get(h);
      if (!link) return this.complete(o, Err.UNKNOWN_CONNECTION, [...u16(h & 0xfff), 0, 0]);
      this.complete(o, Err.SUCCESS, [...u16(h), link.conn.phy.tx, link.conn.phy.rx]);
    },
    [Op.LE_SET_DEFAULT_PHY]: (p, o) =>
      this.withLength(o, p, 3, () => (this.defaultPhy = { tx: p[0] & 1 ? 0x03 : p[1], rx: p[0] & 2 ? 0x03 : p[2] })),
    [Op.LE_SET_PHY]: (p, o) => {
      const link = p.length === 7 ? this.links.get(p.readUInt16LE(0)) : undefined;
      if (!link) return this.status(o, Err.UNKNOWN_CONNECTION);
      this.status(o, Err.SUCCESS);
      // The PHY update procedure (Core Vol 6 Part B §5.1.10): LE 2M when both directions may use it.
      const wants2M = (p[2] & 1 ? 0x03 : p[3]) & (p[2] & 2 ? 0x03 : p[4]) & 0x02;
      const phy: Phy = wants2M ? 2 : 1;
      link.conn.procedure('phy', () => (link.conn.phy = { tx: phy, rx: phy }), ['central', 'peripheral']);
    },
  };

  // ---- ACL data (§5.4.2) ----

  private acl(packet: Buffer): void {
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
        this.toHost(out);
      },
      completed: () => {
        if (this.links.get(handle)?.conn !== conn) return;
        this.aclInFlight = Math.max(0, this.aclInFlight - 1);
        // Number Of Completed Packets (§7.7.19): one handle, one packet.
        this.event(Evt.NUMBER_OF_COMPLETED_PACKETS, Buffer.from([1, ...u16(handle), ...u16(1)]));
      },
      terminated: (reason) => {
        if (this.links.get(handle)?.conn !== conn) return;
        this.links.delete(handle);
        // The host shall assume the packets it sent on the handle are flushed (§7.7.5).
        this.aclInFlight = 0;
        this.event(Evt.DISCONNECTION_COMPLETE, Buffer.from([Err.SUCCESS, ...u16(handle), reason]));
        this.air.changed();
      },
      updated: (what) => {
        if (this.links.get(handle)?.conn !== conn) return;
        if (what === 'interval') {
          const c = conn.params;
          this.leEvent(
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
          this.leEvent(
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
          this.leEvent(LeEvt.PHY_UPDATE_COMPLETE, Buffer.from([Err.SUCCESS, ...u16(handle), conn.phy.tx, conn.phy.rx]));
        }
      },
    };
  }

  // ---- events ----

  private connectionComplete(
    status: number,
    handle: number,
    role: number,
    peerType: number,
    peer: Buffer,
    conn?: Connection,
  ): void {
    const c = conn?.params ?? { interval: 0, latency: 0, supervisionTimeout: 0 };
    const tail = [...u16(c.interval), ...u16(c.latency), ...u16(c.supervisionTimeout), 0x00];
    // A host that unmasks the enhanced event gets it instead of the legacy one (§7.7.65.10).
    if (this.leEventMask & (1n << BigInt(LeEvt.ENHANCED_CONNECTION_COMPLETE - 1))) {
      const rpa = Buffer.alloc(12);
      this.leEvent(
        LeEvt.ENHANCED_CONNECTION_COMPLETE,
        Buffer.from([status, ...u16(handle), role, peerType, ...peer, ...rpa, ...tail]),
      );
      return;
    }
    this.leEvent(LeEvt.CONNECTION_COMPLETE, Buffer.from([status, ...u16(handle), role, peerType, ...peer, ...tail]));
  }

  private withLength(opcode: number, p: Buffer, length: number, apply: () => void): void {
    if (p.length !== length) return this.complete(opcode, Err.INVALID_PARAMETERS);
    apply();
    this.complete(opcode, Err.SUCCESS);
  }

  /** LE Set Advertising Data / Scan Response Data: a length octet, then 31 octets (§7.8.7, §7.8.8). */
  private setData(opcode: number, p: Buffer, set: (data: Buffer) => void): void {
    if (p.length !== 32 || p[0] > 31) return this.complete(opcode, Err.INVALID_PARAMETERS);
    set(Buffer.from(p.subarray(1, 1 + p[0])));
    this.complete(opcode, Err.SUCCESS);
  }

  /** Command Complete (§7.7.14): Num_HCI_Command_Packets, the opcode, the status, return parameters. */
  private complete(opcode: number, status: number, ret: number[] | Buffer = []): void {
    this.event(Evt.COMMAND_COMPLETE, Buffer.from([1, ...u16(opcode), status, ...ret]));
  }

  /** Command Status (§7.7.15): for commands whose outcome comes later in its own event. */
  private status(opcode: number, status: number): void {
    this.event(Evt.COMMAND_STATUS, Buffer.from([status, 1, ...u16(opcode)]));
  }

  private leEvent(subevent: number, params: Buffer): void {
    if (!(this.leEventMask & (1n << BigInt(subevent - 1)))) return;
    this.event(Evt.LE_META, Buffer.concat([Buffer.from([subevent]), params]));
  }

  /** Masked events are not sent (§7.3.1); Command Complete/Status and Completed Packets always are. */
  private event(code: number, params: Buffer): void {
    const unmaskable =
      code === Evt.COMMAND_COMPLETE || code === Evt.COMMAND_STATUS || code === Evt.NUMBER_OF_COMPLETED_PACKETS;
    if (!unmaskable && !(this.eventMask & (1n << BigInt(code - 1)))) return;
    this.toHost(Buffer.concat([Buffer.from([H4.EVENT, code, params.length]), params]));
  }
}

function u16(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff];
}

/**
 * Supported_Commands (§7.4.2; octet and bit per command in §6.27): the commands in `commands`
 * above, so a host that reads the table finds what it may send.
 */
function supportedCommands(): Buffer {
  const bits: [number, number][] = [
    [0, 5], // Disconnect
    [5, 6], // Set Event Mask
    [5, 7], // Reset
    [14, 3], // Read Local Version Information
    [14, 5], // Read Local Supported Features
    [14, 7], // Read Buffer Size
    [15, 1], // Read BD_ADDR
    [15, 5], // Read RSSI
    [24, 5], // Read LE Host Support
    [24, 6], // Write LE Host Support
    [25, 0], // LE Set Event Mask
    [25, 1], // LE Read Buffer Size
    [25, 2], // LE Read Local Supported Features
    [25, 4], // LE Set Random Address
    [25, 5], // LE Set Advertising Parameters
    [25, 7], // LE Set Advertising Data
    [26, 0], // LE Set Scan Response Data
    [26, 1], // LE Set Advertising Enable
    [26, 2], // LE Set Scan Parameters
    [26, 3], // LE Set Scan Enable
    [26, 4], // LE Create Connection
    [26, 5], // LE Create Connection Cancel
    [27, 2], // LE Connection Update
    [33, 6], // LE Set Data Length
    [33, 7], // LE Read Suggested Default Data Length
    [34, 0], // LE Write Suggested Default Data Length
    [35, 3], // LE Read Maximum Data Length
    [35, 4], // LE Read PHY
    [35, 5], // LE Set Default PHY
    [35, 6], // LE Set PHY
  ];
  const table = Buffer.alloc(64);
  for (const [octet, bit] of bits) table[octet] |= 1 << bit;
  return table;
}
