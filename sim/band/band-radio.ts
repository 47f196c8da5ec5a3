/**
 * A simulated band's GATT server radio. The firmware sees the HAL `Radio` (listeners,
 * notify, setInfo, mtu); the simulator's radio server sees the central side (attach,
 * write, readInfo, subscribe, detach). Everything crossing the air goes through the
 * band's LinkModel, so it takes the time a real link would, and is reported as a
 * RadioFrame for the UI's live log.
 *
 * Like a BLE controller with LE privacy on, the radio advertises only resolvable private
 * addresses made from the IRK the firmware hands it (PROTOCOL.md §7): a new one when the
 * key is set, when the firmware asks (wear changes), after every reset, and on its own timer.
 * A link keeps the address it was made on; the next advertisement uses the newest.
 */
import { randomBytes } from 'node:crypto';
import type { Bytes, Radio } from '../../firmware/hal.ts';
import { MIN_MTU } from '../../shared/framing/fragment.ts';
import { IRK_BYTES, formatAddress, newResolvableAddress } from '../../shared/radio/rpa.ts';
import type { LinkModel } from './link-model.ts';

/**
 * How long one private address lives at most: 15 minutes, the default of the controller's
 * RPA timeout (HCI LE Set Resolvable Private Address Timeout, Core Vol 4 Part E §7.8.45).
 */
export const DEFAULT_ADDRESS_ROTATION_MS = 15 * 60_000;

/** One entry of the radio log: a fragment in (write), out (notification), or a link event. */
export interface RadioFrame {
  /** Wall-clock ms. */
  at: number;
  dir: 'in' | 'out' | 'link';
  size: number;
  /** Hex of the first 24 bytes. */
  hex: string;
  /** What the first byte says (frame command or continuation), or the link event. */
  note: string;
}

/** The connected central's session: where notifications go, and who hears that the link dropped. */
export interface CentralSink {
  notification(data: Uint8Array): void;
  /** The link is gone (the central asked, vanished, or the band reset). */
  disconnected(reason: string): void;
}

const COMMANDS: Record<number, string> = {
  0x81: 'PING',
  0x82: 'KEEPALIVE',
  0x83: 'MSG',
  0xbe: 'CANCEL',
  0xbf: 'ERROR',
};

/**
 * L2CAP and ATT octets around a GATT value on the air: the L2CAP basic header (4, Core Vol 3
 * Part A §3.1), the ATT opcode (1) and the attribute handle (2) of a Write Request or a
 * Handle Value Notification (Vol 3 Part F §3.4.5.1, §3.4.7.1); a Write Response is the L2CAP
 * header and its opcode alone (§3.4.5.2).
 */
const ATT_VALUE_HEADER = 7;
const ATT_WRITE_RESPONSE = 5;

export function describeFragment(b: Uint8Array): string {
  if (b.length === 0) return 'empty';
  if (b[0] & 0x80)
    return `${COMMANDS[b[0]] ?? 'cmd 0x' + b[0].toString(16)}${b.length >= 3 ? ' len ' + ((b[1] << 8) | b[2]) : ''}`;
  return `cont seq ${b[0]}`;
}

export class BandRadio implements Radio {
  private connectListener: ((mtu: number) => void) | null = null;
  private disconnectListener: (() => void) | null = null;
  private writeListener: ((data: Bytes) => void) | null = null;
  private info: Uint8Array = new Uint8Array(0);
  private central: CentralSink | null = null;
  private subscribed = false;
  /** The ATT MTU of the current link (the link model's, or what the radio negotiated). */
  private linkMtu = MIN_MTU;
  /** Notifications the firmware sent with no central, or before it subscribed (a real stack refuses them). */
  dropped = 0;
  /** Until the firmware hands its IRK: a key made here and known to nobody. */
  private irk: Uint8Array = new Uint8Array(randomBytes(IRK_BYTES));
  private current = '';
  /** Who advertises the address besides the websocket radio (hci-peripheral.ts): told of each new one. */
  private readonly addressWatchers = new Set<(address: string) => void>();
  private rotation: NodeJS.Timeout | null = null;

  constructor(
    readonly link: LinkModel,
    private readonly onFrame: (f: RadioFrame) => void = () => {},
    private readonly rotationMs = DEFAULT_ADDRESS_ROTATION_MS,
  ) {
    if (!Number.isInteger(rotationMs) || rotationMs < 10)
      throw new RangeError(`address rotation must be at least 10 ms, got ${rotationMs}`);
    this.newAddress();
  }

  /** The resolvable private address advertised now, "4x:…" (most significant byte first). */
  get address(): string {
    return this.current;
  }

  // ---- HAL side (the firmware) ----
  onConnect(fn: (mtu: number) => void): void {
    this.connectListener = fn;
  }
  onDisconnect(fn: () => void): void {
    this.disconnectListener = fn;
  }
  onWrite(fn: (data: Bytes) => void): void {
    this.writeListener = fn;
  }
  notify(data: Bytes): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('notify: data must be a Uint8Array');
    const max = this.mtu() - 3;
    if (data.length > max) throw new RangeError(`notify: ${data.length} bytes > mtu - 3 (${max})`);
    const central = this.central;
    if (central === null || !this.subscribed) {
      this.dropped++;
      return;
    }
    const copy = data.slice();
    this.link.send(
      'down',
      copy.length,
      () => {
        if (this.central !== central) return;
        this.frame('out', copy);
        central.notification(copy);
      },
      ATT_VALUE_HEADER,
    );
  }
  setInfo(data: Bytes): void {
    this.info = data.slice();
  }
  mtu(): number {
    return this.central !== null ? this.linkMtu : MIN_MTU;
  }
  setIdentityKey(irk: Bytes): void {
    if (!(irk instanceof Uint8Array) || irk.length !== IRK_BYTES)
      throw new RangeError(`setIdentityKey: the IRK is ${IRK_BYTES} bytes`);
    this.irk = irk.slice();
    this.newAddress();
  }
  /** prand ‖ ah(IRK, prand) with a fresh prand, and the rotation timer starts over. */
  newAddress(): void {
    this.current = formatAddress(newResolvableAddress(this.irk));
    for (const fn of this.addressWatchers) fn(this.current);
    if (this.rotation !== null) clearTimeout(this.rotation);
    this.rotation = setTimeout(() => this.newAddress(), this.rotationMs);
    this.rotation.unref();
  }

  /** Calls `fn` with every new address; returns the function that stops it. */
  watchAddress(fn: (address: string) => void): () => void {
    this.addressWatchers.add(fn);
    return () => this.addressWatchers.delete(fn);
  }

  /**
   * Forget the firmware's listeners and its IRK (the engine is being reset, as the controller
   * is; the next boot registers anew and hands the key again): a new address for the new boot.
   */
  clearListeners(): void {
    this.connectListener = this.disconnectListener = this.writeListener = null;
    this.info = new Uint8Array(0);
    this.irk = new Uint8Array(randomBytes(IRK_BYTES));
    this.newAddress();
  }

  /** The radio is switched off for good: no more rotations. */
  stop(): void {
    if (this.rotation !== null) clearTimeout(this.rotation);
    this.rotation = null;
  }

  // ---- central side (the radio server) ----
  get connected(): boolean {
    return this.central !== null;
  }

  get notifying(): boolean {
    return this.subscribed;
  }

  /**
   * A central connects; the firmware hears onConnect with the link's ATT MTU: the link model's,
   * or, over a real radio stack, the one the ATT exchange settled (never above the link model's).
   */
  attach(central: CentralSink, mtu = this.link.config.mtu): void {
    if (this.central !== null) this.detach();
    this.central = central;
    this.subscribed = false;
    this.linkMtu = Math.max(MIN_MTU, Math.min(mtu, this.link.config.mtu));
    this.link.connect();
    this.frame('link', new Uint8Array(0), `connected, mtu ${this.linkMtu}`);
    this.connectListener?.(this.linkMtu);
  }

  /** The central disconnects (or vanishes, or the band resets): queued fragments are lost with the link. */
  detach(reason = 'disconnected'): void {
    const central = this.central;
    if (central === null) return;
    this.central = null;
    this.subscribed = false;
    this.link.close();
    this.frame('link', new Uint8Array(0), reason);
    central.disconnected(reason);
    this.disconnectListener?.();
  }

  /** Enables or disables notifications (the status characteristic's CCCD). */
  subscribe(on: boolean): void {
    if (this.central !== null) this.subscribed = on;
  }

  /** A write to the control point; `done` runs once it crossed the link and the firmware had it. */
  write(data: Uint8Array, done: () => void): void {
    const central = this.central;
    if (central === null) return;
    const copy = data.slice();
    this.link.send(
      'up',
      copy.length,
      () => {
        if (this.central !== central) return;
        this.frame('in', copy);
        // The ATT Write Response: the radio stack acknowledges before the firmware runs; on a
        // link that carries it (the spec model) it is queued ahead of whatever the firmware notifies.
        if (this.link.responsesOnAir)
          this.link.send('down', 0, () => this.central === central && done(), ATT_WRITE_RESPONSE);
        else done();
        this.writeListener?.(copy.slice());
      },
      ATT_VALUE_HEADER,
    );
  }

  readInfo(): Uint8Array {
    return this.info.slice();
  }

  private frame(dir: RadioFrame['dir'], b: Uint8Array, note?: string): void {
    const hex = Buffer.from(b.subarray(0, 24)).toString('hex');
    this.onFrame({ at: Date.now(), dir, size: b.length, hex, note: note ?? describeFragment(b) });
  }
}
