/**
 * Emulated peripherals the test (or the simulator's UI) drives: wear sensor, charger, button,
 * haptics, display, radio loopback and log. Host-only. Each HAL "register a listener" call keeps
 * exactly one listener (the last one), as on the band where one firmware owns each peripheral.
 */
import { formatAddress, newResolvableAddress } from '../../shared/radio/rpa.ts';
import type { Bytes, Button, Charger, Clock, Display, Haptics, Log, Radio, WearSensor } from '../hal.ts';

const MIN_MTU = 23;
const MAX_MTU = 517;
/** Largest attribute value (Bluetooth Core Vol 3 Part F 3.2.9); a longer write cannot happen. */
const MAX_ATTRIBUTE = 512;

const noClock = { monotonicMs: () => 0 };
type Now = Pick<Clock, 'monotonicMs'>;

export class WearSensorEmu implements WearSensor {
  private listener: ((onSkin: boolean) => void) | null = null;
  private value = false;
  /** Every raw sample delivered, oldest first. */
  readonly samples: { atMs: number; onSkin: boolean }[] = [];
  constructor(private readonly clock: Now = noClock) {}
  onSample(fn: (onSkin: boolean) => void): void {
    this.listener = fn;
  }
  current(): boolean {
    return this.value;
  }
  /** Push one raw sample (repeat the same value to model a steady signal). */
  sample(onSkin: boolean): void {
    this.value = onSkin;
    this.samples.push({ atMs: this.clock.monotonicMs(), onSkin });
    if (this.listener) this.listener(onSkin);
  }
}

export class ChargerEmu implements Charger {
  private listener: ((charging: boolean) => void) | null = null;
  private charging = false;
  onChange(fn: (charging: boolean) => void): void {
    this.listener = fn;
  }
  isCharging(): boolean {
    return this.charging;
  }
  /** -1 (not measured) until a test or the simulator sets a level. */
  battery = -1;
  batteryPercent(): number {
    return this.battery;
  }
  /** Change the contact state; the listener hears only real changes, as from an edge interrupt. */
  set(charging: boolean): void {
    if (charging === this.charging) return;
    this.charging = charging;
    if (this.listener) this.listener(charging);
  }
  plug(): void {
    this.set(true);
  }
  unplug(): void {
    this.set(false);
  }
}

export class ButtonEmu implements Button {
  private listener: (() => void) | null = null;
  presses = 0;
  onPress(fn: () => void): void {
    this.listener = fn;
  }
  press(): void {
    this.presses++;
    if (this.listener) this.listener();
  }
}

export class HapticsEmu implements Haptics {
  readonly buzzes: { atMs: number; ms: number }[] = [];
  constructor(private readonly clock: Now = noClock) {}
  buzz(ms: number): void {
    this.buzzes.push({ atMs: this.clock.monotonicMs(), ms });
  }
}

export class DisplayEmu implements Display {
  readonly lines: number;
  readonly columns: number;
  /** What the screen shows now: at most `lines` lines of at most `columns` characters. */
  current: string[] = [];
  readonly history: { atMs: number; lines: string[] }[] = [];
  /** Calls that passed more lines or longer lines than fit (the excess is clipped, as on glass). */
  overflows = 0;
  constructor(
    lines = 4,
    columns = 16,
    private readonly clock: Now = noClock,
  ) {
    this.lines = lines;
    this.columns = columns;
  }
  show(lines: string[]): void {
    const clipped = lines.slice(0, this.lines).map((l) => String(l).slice(0, this.columns));
    if (lines.length > this.lines || lines.some((l) => String(l).length > this.columns)) this.overflows++;
    this.current = clipped;
    this.history.push({ atMs: this.clock.monotonicMs(), lines: clipped });
  }
  /** The screen as one string, lines joined by '\n'. */
  text(): string {
    return this.current.join('\n');
  }
}

/**
 * The GATT server seen from the test: `connect(mtu)`, `write(bytes)` into the control point,
 * `disconnect()`; the firmware's notifications are collected in `notifications`.
 */
export class RadioEmu implements Radio {
  private connectListener: ((mtu: number) => void) | null = null;
  private disconnectListener: (() => void) | null = null;
  private writeListener: ((data: Bytes) => void) | null = null;
  private currentMtu = MIN_MTU;
  private isConnected = false;
  private info: Uint8Array = new Uint8Array(0);
  readonly notifications: Uint8Array[] = [];
  /** Notifications the firmware sent while nothing was connected (lost, as on air). */
  dropped = 0;

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
    // Exceeding mtu - 3 is a firmware bug the real stack would reject; fail the test loudly.
    if (data.length > this.currentMtu - 3)
      throw new RangeError(`notify: ${data.length} bytes > mtu - 3 (${this.currentMtu - 3})`);
    if (!this.isConnected) {
      this.dropped++;
      return;
    }
    this.notifications.push(data.slice());
  }
  setInfo(data: Bytes): void {
    this.info = data.slice();
  }
  mtu(): number {
    return this.isConnected ? this.currentMtu : MIN_MTU;
  }

  get connected(): boolean {
    return this.isConnected;
  }
  /** A central connects and negotiates `mtu` (23..517). */
  connect(mtu = MIN_MTU): void {
    if (!Number.isInteger(mtu) || mtu < MIN_MTU || mtu > MAX_MTU)
      throw new RangeError(`connect: MTU ${mtu} outside 23..517`);
    if (this.isConnected) this.disconnect();
    this.currentMtu = mtu;
    this.isConnected = true;
    if (this.connectListener) this.connectListener(mtu);
  }
  /** One write to the control point. Any bytes up to 512 (tests send hostile fragments too). */
  write(bytes: Uint8Array): void {
    if (!this.isConnected) throw new Error('write: not connected');
    if (bytes.length > MAX_ATTRIBUTE) throw new RangeError(`write: ${bytes.length} bytes > 512`);
    if (this.writeListener) this.writeListener(bytes.slice());
  }
  disconnect(): void {
    if (!this.isConnected) return;
    this.isConnected = false;
    this.currentMtu = MIN_MTU;
    if (this.disconnectListener) this.disconnectListener();
  }
  /** The info characteristic as a central reads it. */
  readInfo(): Uint8Array {
    return this.info.slice();
  }
  /** The IRK the firmware handed over (null before boot), and every address taken since, newest last. */
  identityKey: Uint8Array | null = null;
  readonly addresses: string[] = [];
  /** The advertised resolvable private address (null until the firmware set its IRK). */
  get address(): string | null {
    return this.addresses.length > 0 ? this.addresses[this.addresses.length - 1] : null;
  }
  setIdentityKey(irk: Bytes): void {
    if (!(irk instanceof Uint8Array) || irk.length !== 16) throw new RangeError('setIdentityKey: the IRK is 16 bytes');
    this.identityKey = irk.slice();
    this.newAddress();
  }
  /** No timer here: tests ask for rotations (the simulator's radio also rotates on its own). */
  newAddress(): void {
    if (this.identityKey === null) throw new Error('newAddress: no identity key set');
    this.addresses.push(formatAddress(newResolvableAddress(this.identityKey)));
  }
  /** Remove and return the notifications collected so far. */
  takeNotifications(): Uint8Array[] {
    return this.notifications.splice(0, this.notifications.length);
  }
}

export class LogEmu implements Log {
  readonly lines: string[] = [];
  /** Also print each line (for debugging a failing test). */
  echo = false;
  log(message: string): void {
    this.lines.push(String(message));
    if (this.echo) console.log(`[band] ${message}`);
  }
}
