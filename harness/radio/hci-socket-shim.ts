/**
 * The BluetoothHciSocket class of `@abandonware/bluetooth-hci-socket` (its index.d.ts is the
 * contract: bindRaw, bindUser, bindControl, start, stop, write, setFilter, isDevUp,
 * getDeviceList, reset; 'data' and 'error' events), over an H4 socket to a virtual controller
 * (h4-server.ts) instead of an AF_BLUETOOTH socket. noble's and bleno's hci.js use it unchanged:
 * install-hci-socket.ts puts this class where their `require` finds the native one.
 *
 * Device N is the controller at endpoint N (`setHciEndpoints`, or WRISTPAY_HCI_SOCKETS =
 * "0=/tmp/hci0.sock,1=127.0.0.1:4101"); a device is up while its socket path exists (a TCP
 * endpoint is taken to be up). What the kernel does for a raw socket is done here too: the
 * socket filter (packet types and event codes, as noble and bleno set it) and HCI command flow
 * control, one command on the wire per credit the controller grants in Command Complete and
 * Command Status (Core Vol 4 Part E §4.4). Management (bindControl, bleno's mgmt.js) has no
 * controller behind it: writes there go nowhere, which bleno only uses to store bonding keys.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { Evt, H4, H4Splitter } from './hci.ts';

const endpoints = new Map<number, string>();

/** Device id → socket path or "127.0.0.1:port". Replaces what WRISTPAY_HCI_SOCKETS said. */
export function setHciEndpoints(map: Record<number, string>): void {
  endpoints.clear();
  for (const [id, at] of Object.entries(map)) endpoints.set(Number(id), at);
}

function known(): Map<number, string> {
  if (endpoints.size > 0) return endpoints;
  for (const part of (process.env.WRISTPAY_HCI_SOCKETS ?? '').split(',')) {
    const m = /^\s*(\d+)=(.+?)\s*$/.exec(part);
    if (m) endpoints.set(Number(m[1]), m[2]);
  }
  return endpoints;
}

function isUp(at: string): boolean {
  return /^127\.0\.0\.1:\d+$/.test(at) || existsSync(at);
}

function dial(at: string): Socket {
  const tcp = /^127\.0\.0\.1:(\d+)$/.exec(at);
  return tcp ? connect(Number(tcp[1]), '127.0.0.1') : connect(at);
}

export class VirtualHciSocket extends EventEmitter {
  private devId: number | null = null;
  private control = false;
  private socket: Socket | null = null;
  private filter: Buffer | null = null;
  private credits = 1;
  private readonly commands: Buffer[] = [];

  getDeviceList(): {
    devId: number;
    devUp: boolean;
    idVendor: null;
    idProduct: null;
    busNumber: null;
    deviceAddress: null;
  }[] {
    return [...known()].map(([devId, at]) => ({
      devId,
      devUp: isUp(at),
      idVendor: null,
      idProduct: null,
      busNumber: null,
      deviceAddress: null,
    }));
  }

  /** As the native binding: no id means the first device that is up. */
  bindRaw(devId?: number): number {
    return this.bind(devId);
  }

  bindUser(devId?: number): number {
    return this.bind(devId);
  }

  bindControl(): number {
    this.control = true;
    return 0;
  }

  isDevUp(): boolean {
    const at = this.devId === null ? undefined : known().get(this.devId);
    return at !== undefined && isUp(at);
  }

  setFilter(filter: Buffer): void {
    this.filter = Buffer.from(filter);
  }

  start(): void {
    if (this.control || this.socket || this.devId === null) return;
    const at = known().get(this.devId);
    if (at === undefined) {
      this.emit('error', Object.assign(new Error(`no virtual controller hci${this.devId}`), { code: 'ENODEV' }));
      return;
    }
    const socket = dial(at);
    socket.setNoDelay(true);
    const splitter = new H4Splitter(
      (packet) => this.fromController(packet),
      (message) => this.emit('error', new Error(message)),
    );
    socket.on('data', (chunk) => splitter.push(chunk));
    socket.on('error', (err) => this.emit('error', err));
    this.socket = socket;
  }

  stop(): void {
    this.socket?.destroy();
    this.socket = null;
    this.commands.length = 0;
    this.credits = 1;
  }

  reset(): void {
    // The native reset is a USB-transport call; nothing to do over H4.
  }

  write(data: Buffer): void {
    if (this.control || !this.socket) return;
    if (data[0] !== H4.COMMAND) {
      this.socket.write(data);
      return;
    }
    this.commands.push(Buffer.from(data));
    this.flush();
  }

  private bind(devId: number | undefined): number {
    const ids = known();
    const id = devId ?? [...ids].find(([, at]) => isUp(at))?.[0] ?? 0;
    this.devId = id;
    return id;
  }

  private flush(): void {
    while (this.credits > 0 && this.commands.length > 0 && this.socket) {
      this.credits--;
      this.socket.write(this.commands.shift()!);
    }
  }

  private fromController(packet: Buffer): void {
    if (packet[0] === H4.EVENT && packet[1] === Evt.COMMAND_COMPLETE) this.credits = packet[3];
    if (packet[0] === H4.EVENT && packet[1] === Evt.COMMAND_STATUS) this.credits = packet[4];
    if (this.passes(packet)) this.emit('data', packet);
    this.flush();
  }

  /** The raw socket filter, as hci_sock.c applies it: a type mask, then for events a 64-bit event mask. */
  private passes(packet: Buffer): boolean {
    const f = this.filter;
    if (!f || f.length < 12) return true;
    if (!(f.readUInt32LE(0) & (1 << packet[0]))) return false;
    if (packet[0] !== H4.EVENT) return true;
    const code = packet[1];
    return code < 32 ? (f.readUInt32LE(4) & (1 << code)) !== 0 : (f.readUInt32LE(8) & (1 << (code - 32))) !== 0;
  }
}
