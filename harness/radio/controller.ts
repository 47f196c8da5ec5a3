/**
 * One virtual BLE controller: the Controller side of HCI (Core Vol 4 Part E) for the commands
 * noble and bleno send (docs/RADIO.md lists them), with the Link Layer behaviour behind them
 * delegated to the air (air.ts: advertising, scanning, connecting), to its connections
 * (controller-links.ts: handles, ACL data and flow control, the commands on one connection) and
 * to each connection (connection.ts: the link, termination, procedures). Packets arrive from the host whole
 * (h4-server.ts frames the stream); `toHost` sends whole packets back.
 *
 * Commands are answered in order; every Command Complete and Command Status grants one more
 * command (Num_HCI_Command_Packets = 1, §7.7.14), which the host side honours (hci-socket-shim.ts
 * queues as the kernel does). Events are filtered by the host's event masks (§7.3.1, §7.8.1).
 */
import type { Connection, Role } from './connection.ts';
import { type Handler, type HostSide, LE_ACL_LENGTH, LE_ACL_PACKETS, ControllerLinks } from './controller-links.ts';
import { Err, Evt, H4, LeEvt, Op, SUPPORTED_COMMANDS, u16 } from './hci.ts';
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

export class VirtualController implements HostSide {
  readonly publicAddress: Buffer;
  readonly rssi: number;
  /** Where packets for the host go (h4-server.ts sets it while a host is attached). */
  toHost: (packet: Buffer) => void = () => undefined;
  private readonly links = new ControllerLinks(this);

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
    const handle = this.links.add(conn, role);
    this.connectionComplete(Err.SUCCESS, handle, role === 'central' ? 0 : 1, peerAddressType, peerAddress, conn);
    this.air.changed();
  }

  // ---- from the host ----

  fromHost(packet: Buffer): void {
    if (packet[0] === H4.COMMAND) this.command(packet.readUInt16LE(1), packet.subarray(4, 4 + packet[3]));
    else if (packet[0] === H4.ACL) this.links.acl(packet);
  }

  /** The host went away: the controller is powered off. Its peers time out (Core Vol 6 Part B §4.5.2). */
  powerOff(): void {
    this.reset();
  }

  /** ACL packets the host sent beyond the buffers it was granted (a host bug; tests expect 0). */
  get overruns(): number {
    return this.links.overruns;
  }

  /** Back to the state after power-on (§7.3.2): links are gone here and time out at their peers. */
  private reset(): void {
    this.links.dropAll();
    this.eventMask = DEFAULT_EVENT_MASK;
    this.leEventMask = DEFAULT_LE_EVENT_MASK;
    this.randomAddress = null;
    this.advEnabled = this.scanEnabled = false;
    this.initiating = null;
    this.reported.clear();
    this.air.changed();
  }

  private command(opcode: number, p: Buffer): void {
    const handler = this.commands[opcode] ?? this.links.commands[opcode];
    if (!handler) return this.complete(opcode, Err.UNKNOWN_COMMAND); // §4.5: unknown commands
    handler(p, opcode);
  }

  /** Each handler answers with exactly one Command Complete or Command Status. */
  private readonly commands: Record<number, Handler> = {
    [Op.RESET]: (_p, o) => {
      this.reset();
      this.complete(o, Err.SUCCESS);
    },
    [Op.SET_EVENT_MASK]: (p, o) => this.withLength(o, p, 8, () => (this.eventMask = p.readBigUInt64LE(0))),
    [Op.LE_SET_EVENT_MASK]: (p, o) => this.withLength(o, p, 8, () => (this.leEventMask = p.readBigUInt64LE(0))),
    [Op.READ_LE_HOST_SUPPORTED]: (_p, o) => this.complete(o, Err.SUCCESS, [this.leHostSupported, 0]),
    [Op.WRITE_LE_HOST_SUPPORTED]: (p, o) => this.withLength(o, p, 2, () => (this.leHostSupported = p[0])),
    // HCI and LMP version 0x0d = Core 5.4; company 0xffff = none assigned, for tests (§7.4.1).
    [Op.READ_LOCAL_VERSION]: (_p, o) => this.complete(o, Err.SUCCESS, [0x0d, 0x00, 0x00, 0x0d, 0xff, 0xff, 0x00, 0x00]),
    [Op.READ_LOCAL_COMMANDS]: (_p, o) => this.complete(o, Err.SUCCESS, SUPPORTED_COMMANDS),
    // LMP features: bit 37 BR/EDR Not Supported, bit 38 LE Supported (Controller) (Core Vol 2 Part C §3.3).
    [Op.READ_LOCAL_FEATURES]: (_p, o) => this.complete(o, Err.SUCCESS, [0, 0, 0, 0, 0x60, 0, 0, 0]),
    // The LE-only controller shares its LE buffers; no synchronous buffers (§7.4.5).
    [Op.READ_BUFFER_SIZE]: (_p, o) =>
      this.complete(o, Err.SUCCESS, [...u16(LE_ACL_LENGTH), 0, ...u16(LE_ACL_PACKETS), 0, 0]),
    [Op.READ_BD_ADDR]: (_p, o) => this.complete(o, Err.SUCCESS, [...this.publicAddress]),
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
    [Op.LE_READ_DEFAULT_DATA_LENGTH]: (_p, o) => this.complete(o, Err.SUCCESS, [...u16(27), ...u16(328)]),
    [Op.LE_WRITE_DEFAULT_DATA_LENGTH]: (p, o) => this.withLength(o, p, 4, () => undefined),
    [Op.LE_READ_MAX_DATA_LENGTH]: (_p, o) =>
      this.complete(o, Err.SUCCESS, [...u16(251), ...u16(2120), ...u16(251), ...u16(2120)]),
    // The preferences are taken from each LE Set PHY; the defaults change nothing here.
    [Op.LE_SET_DEFAULT_PHY]: (p, o) => this.withLength(o, p, 3, () => undefined),
  };

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

  /** Advertising, scanning, initiating or a link changed: the air re-arms its events. */
  changed(): void {
    this.air.changed();
  }

  /** Command Complete (§7.7.14): Num_HCI_Command_Packets, the opcode, the status, return parameters. */
  complete(opcode: number, status: number, ret: number[] | Buffer = []): void {
    this.event(Evt.COMMAND_COMPLETE, Buffer.from([1, ...u16(opcode), status, ...ret]));
  }

  /** Command Status (§7.7.15): for commands whose outcome comes later in its own event. */
  status(opcode: number, status: number): void {
    this.event(Evt.COMMAND_STATUS, Buffer.from([status, 1, ...u16(opcode)]));
  }

  leEvent(subevent: number, params: Buffer): void {
    if (!(this.leEventMask & (1n << BigInt(subevent - 1)))) return;
    this.event(Evt.LE_META, Buffer.concat([Buffer.from([subevent]), params]));
  }

  /** Masked events are not sent (§7.3.1); Command Complete/Status and Completed Packets always are. */
  event(code: number, params: Buffer): void {
    const unmaskable =
      code === Evt.COMMAND_COMPLETE || code === Evt.COMMAND_STATUS || code === Evt.NUMBER_OF_COMPLETED_PACKETS;
    if (!unmaskable && !(this.eventMask & (1n << BigInt(code - 1)))) return;
    this.toHost(Buffer.concat([Buffer.from([H4.EVENT, code, params.length]), params]));
  }
}
