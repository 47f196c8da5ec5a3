/**
 * The HCI vocabulary the virtual controller speaks: H4 packet types, opcodes, event codes and
 * error codes, each with the section of the Bluetooth Core Specification (v5.4) that defines it,
 * and the H4 framing both ends of the socket need (a byte stream in, whole packets out).
 */

/** H4 packet indicators (Core Vol 4 Part A §2, UART transport layer). */
export const H4 = { COMMAND: 0x01, ACL: 0x02, EVENT: 0x04 } as const;

/** Opcode = OGF << 10 | OCF (Core Vol 4 Part E §5.4.1). */
const op = (ogf: number, ocf: number): number => (ogf << 10) | ocf;

export const Op = {
  DISCONNECT: op(0x01, 0x0006), // §7.1.6
  SET_EVENT_MASK: op(0x03, 0x0001), // §7.3.1
  RESET: op(0x03, 0x0003), // §7.3.2
  READ_LE_HOST_SUPPORTED: op(0x03, 0x006c), // §7.3.78
  WRITE_LE_HOST_SUPPORTED: op(0x03, 0x006d), // §7.3.79
  READ_LOCAL_VERSION: op(0x04, 0x0001), // §7.4.1
  READ_LOCAL_COMMANDS: op(0x04, 0x0002), // §7.4.2
  READ_LOCAL_FEATURES: op(0x04, 0x0003), // §7.4.3
  READ_BUFFER_SIZE: op(0x04, 0x0005), // §7.4.5
  READ_BD_ADDR: op(0x04, 0x0009), // §7.4.6
  READ_RSSI: op(0x05, 0x0005), // §7.5.4
  LE_SET_EVENT_MASK: op(0x08, 0x0001), // §7.8.1
  LE_READ_BUFFER_SIZE: op(0x08, 0x0002), // §7.8.2
  LE_READ_LOCAL_FEATURES: op(0x08, 0x0003), // §7.8.3
  LE_SET_RANDOM_ADDRESS: op(0x08, 0x0005), // §7.8.4
  LE_SET_ADV_PARAMS: op(0x08, 0x0006), // §7.8.5
  LE_SET_ADV_DATA: op(0x08, 0x0008), // §7.8.7
  LE_SET_SCAN_RSP_DATA: op(0x08, 0x0009), // §7.8.8
  LE_SET_ADV_ENABLE: op(0x08, 0x000a), // §7.8.9
  LE_SET_SCAN_PARAMS: op(0x08, 0x000b), // §7.8.10
  LE_SET_SCAN_ENABLE: op(0x08, 0x000c), // §7.8.11
  LE_CREATE_CONN: op(0x08, 0x000d), // §7.8.12
  LE_CREATE_CONN_CANCEL: op(0x08, 0x000e), // §7.8.13
  LE_CONN_UPDATE: op(0x08, 0x0013), // §7.8.18
  LE_SET_DATA_LENGTH: op(0x08, 0x0022), // §7.8.33
  LE_READ_DEFAULT_DATA_LENGTH: op(0x08, 0x0023), // §7.8.34
  LE_WRITE_DEFAULT_DATA_LENGTH: op(0x08, 0x0024), // §7.8.35
  LE_READ_MAX_DATA_LENGTH: op(0x08, 0x002f), // §7.8.46
  LE_READ_PHY: op(0x08, 0x0030), // §7.8.47
  LE_SET_DEFAULT_PHY: op(0x08, 0x0031), // §7.8.48
  LE_SET_PHY: op(0x08, 0x0032), // §7.8.49
} as const;

/** Event codes (Core Vol 4 Part E §7.7). */
export const Evt = {
  DISCONNECTION_COMPLETE: 0x05, // §7.7.5
  COMMAND_COMPLETE: 0x0e, // §7.7.14
  COMMAND_STATUS: 0x0f, // §7.7.15
  NUMBER_OF_COMPLETED_PACKETS: 0x13, // §7.7.19
  LE_META: 0x3e, // §7.7.65
} as const;

/** LE Meta subevent codes (Core Vol 4 Part E §7.7.65.x). */
export const LeEvt = {
  CONNECTION_COMPLETE: 0x01, // §7.7.65.1
  ADVERTISING_REPORT: 0x02, // §7.7.65.2
  CONNECTION_UPDATE_COMPLETE: 0x03, // §7.7.65.3
  DATA_LENGTH_CHANGE: 0x07, // §7.7.65.7
  ENHANCED_CONNECTION_COMPLETE: 0x0a, // §7.7.65.10
  PHY_UPDATE_COMPLETE: 0x0c, // §7.7.65.12
} as const;

/** Error codes (Core Vol 1 Part F §1.3). */
export const Err = {
  SUCCESS: 0x00,
  UNKNOWN_COMMAND: 0x01,
  UNKNOWN_CONNECTION: 0x02,
  CONNECTION_TIMEOUT: 0x08,
  COMMAND_DISALLOWED: 0x0c,
  INVALID_PARAMETERS: 0x12,
  REMOTE_USER_TERMINATED: 0x13,
  LOCAL_HOST_TERMINATED: 0x16,
} as const;

/** ACL Packet_Boundary_Flag values (Core Vol 4 Part E §5.4.2). */
export const Pb = {
  /** Host → Controller, first packet of an LE L2CAP PDU (non-automatically-flushable). */
  FIRST_NON_FLUSHABLE: 0b00,
  CONTINUING: 0b01,
  /** Controller → Host, first packet of an L2CAP PDU. */
  FIRST_FLUSHABLE: 0b10,
} as const;

/**
 * Splits an H4 byte stream into whole packets: the indicator byte, then the header of that
 * packet type, whose length field says how much follows (Core Vol 4 Part E §5.4.1 command:
 * 1-byte length at offset 3; §5.4.2 ACL: 2-byte length at offset 3; §5.4.4 event: 1-byte
 * length at offset 2). An unknown indicator is a broken stream: `onError` and the rest is dropped.
 */
export class H4Splitter {
  private buf: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(
    private readonly onPacket: (packet: Buffer) => void,
    private readonly onError: (message: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const size = this.packetSize();
      if (size === null || this.buf.length < size) return;
      const packet = this.buf.subarray(0, size);
      this.buf = this.buf.subarray(size);
      this.onPacket(Buffer.from(packet));
    }
  }

  /** The whole packet's size once its header is in, else null; -1 marks a broken stream. */
  private packetSize(): number | null {
    const b = this.buf;
    if (b.length === 0) return null;
    switch (b[0]) {
      case H4.COMMAND:
        return b.length < 4 ? null : 4 + b[3];
      case H4.ACL:
        return b.length < 5 ? null : 5 + b.readUInt16LE(3);
      case H4.EVENT:
        return b.length < 3 ? null : 3 + b[2];
      default:
        this.broken = true;
        this.onError(`H4: unknown packet indicator 0x${b[0].toString(16)}`);
        return null;
    }
  }
}

/** A 16-bit field, little-endian as HCI sends every multi-octet field (Core Vol 4 Part E §5.2). */
export function u16(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff];
}

/**
 * Supported_Commands (§7.4.2; octet and bit per command in §6.27): the commands the virtual
 * controller answers (controller.ts, controller-links.ts), so a host that reads the table finds
 * what it may send.
 */
export const SUPPORTED_COMMANDS: Buffer = supportedCommands();

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
