/**
 * A simulated band as a real BLE peripheral: `@abandonware/bleno` on an HCI controller (a real
 * adapter on Linux, or the virtual controller in tests) advertises the wristpay service and
 * serves its GATT table (docs/PROTOCOL.md §1), and what a central does there reaches the
 * band's BandRadio exactly as the websocket radio's CentralSession hands it over.
 *
 * Why @abandonware/bleno: it is the peripheral half of the same stack as the bridge's
 * @abandonware/noble — same maintainers, same HCI code lineage, same
 * @abandonware/bluetooth-hci-socket — so one socket package (and one virtual-controller shim
 * in tests) serves both ends. bleno drives one adapter as one peripheral, so one band.
 *
 * bleno is loaded on first use: loading it opens the HCI socket, which throws on a machine
 * without Bluetooth. bleno's API does not reach three things this file needs, so it uses its
 * internals: the GATT server's largest ATT MTU (`maxMtu`, 256 by default) becomes the link
 * model's, so both ends fragment alike; the band's resolvable private address is written to
 * the controller (bleno always advertises from the public address, which would let any
 * scanner follow the band: docs/PROTOCOL.md §7), with two HCI commands on bleno's own socket;
 * and on close the HCI socket stops and the adapter poll that bleno re-arms every second
 * forever ends, so the process can exit.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { MIN_MTU } from '../../shared/framing/fragment.ts';
import type { CentralSink } from './band-radio.ts';
import { CONTROL_UUID, INFO_UUID, SERVICE_UUID, STATUS_UUID } from './noble-protocol.ts';
import type { SimBand } from './sim-band.ts';

const require = createRequire(import.meta.url);

type Done = (result: number, data?: Buffer) => void;

interface CharacteristicOptions {
  uuid: string;
  properties: string[];
  onWriteRequest?: (data: Buffer, offset: number, withoutResponse: boolean, cb: (result: number) => void) => void;
  onReadRequest?: (offset: number, cb: Done) => void;
  onSubscribe?: (maxValueSize: number, update: (data: Buffer) => void) => void;
  onUnsubscribe?: () => void;
}

/** The slice of bleno this file uses (it ships its own index.d.ts, not reached from here by type). */
interface Bleno extends EventEmitter {
  state: string;
  startAdvertisingWithEIRData(adv: Buffer, scan: Buffer, cb?: (err?: Error | null) => void): void;
  stopAdvertising(cb?: () => void): void;
  setServices(services: unknown[], cb?: (err?: Error | null) => void): void;
  disconnect(): void;
  PrimaryService: new (o: { uuid: string; characteristics: unknown[] }) => unknown;
  Characteristic: (new (o: CharacteristicOptions) => unknown) & Record<string, number>;
  _bindings?: {
    _gatt?: { maxMtu?: number };
    _hci?: { _socket?: { stop?: () => void; write?: (b: Buffer) => void }; pollIsDevUp?: () => void };
  };
}

export interface HciPeripheral {
  close(): Promise<void>;
}

/** ATT results bleno passes on (Core Vol 3 Part F §3.4.1.1). */
const SUCCESS = 0x00;
const INVALID_OFFSET = 0x07;
const ATTR_NOT_LONG = 0x0b;
const UNLIKELY = 0x0e;

/** Flags (LE General Discoverable, BR/EDR not supported) and the service's 128-bit UUID: nothing else (docs/PROTOCOL.md §7). */
function advertisement(): Buffer {
  const uuid = Buffer.from(SERVICE_UUID, 'hex').reverse();
  return Buffer.concat([Buffer.from([0x02, 0x01, 0x06, 0x11, 0x07]), uuid]);
}

/** One HCI command packet (Core Vol 4 Part E §5.4.1). */
function command(opcode: number, params: number[]): Buffer {
  return Buffer.from([0x01, opcode & 0xff, opcode >> 8, params.length, ...params]);
}

/**
 * Advertise from `address` (a resolvable private address, "4x:…"): HCI LE Set Random Address
 * (§7.8.4; only while advertising is off), then LE Set Advertising Parameters (§7.8.5) as bleno
 * sets them — ADV_IND every 100 ms on all three channels — but with Own_Address_Type random.
 */
function useAddress(bleno: Bleno, address: string): void {
  const write = bleno._bindings?._hci?._socket?.write;
  if (!write) return;
  const socket = bleno._bindings?._hci?._socket;
  const le = [...Buffer.from(address.split(':').reverse().join(''), 'hex')];
  const interval = [0xa0, 0x00]; // 160 × 0.625 ms
  write.call(socket, command(0x2005, le));
  write.call(socket, command(0x2006, [...interval, ...interval, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0x07, 0x00]));
}

function loadBleno(): Bleno {
  try {
    return require('@abandonware/bleno') as Bleno;
  } catch (e) {
    throw new Error(`no usable Bluetooth adapter for bleno: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function poweredOn(bleno: Bleno, ms: number): Promise<void> {
  if (bleno.state === 'poweredOn') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      bleno.removeListener('stateChange', on);
      reject(new Error(`the Bluetooth adapter did not power on within ${ms} ms (bleno state: ${bleno.state})`));
    }, ms);
    const on = (state: string): void => {
      if (state !== 'poweredOn') return;
      clearTimeout(timer);
      bleno.removeListener('stateChange', on);
      resolve();
    };
    bleno.on('stateChange', on);
  });
}

export async function startHciPeripheral(
  band: SimBand,
  log: (line: string) => void,
  readyTimeoutMs = 5000,
): Promise<HciPeripheral> {
  const bleno = loadBleno();
  await poweredOn(bleno, readyTimeoutMs);
  const radio = band.hw.radio;
  const gatt = bleno._bindings?._gatt;
  if (gatt) gatt.maxMtu = band.hw.link.config.mtu;

  // A link is handed to the band once its ATT MTU is known: at the MTU exchange, or at the
  // central's first request without one (then the ATT default, 23: Core Vol 3 Part F §3.2.8).
  let accepted = false;
  let attached = false;
  let notify: ((data: Buffer) => void) | null = null;
  const sink: CentralSink = {
    notification: (data) => notify?.(Buffer.from(data)),
    disconnected: (reason) => {
      if (!attached) return;
      attached = false;
      log(`band ${band.index}: HCI link down (${reason})`);
      bleno.disconnect();
    },
  };
  const attach = (mtu: number): boolean => {
    if (attached) return true;
    if (!accepted || !band.running || radio.connected) return false;
    attached = true;
    radio.attach(sink, mtu);
    return true;
  };

  // A new private address (rotation, wear change, reboot) is advertised at once; a link keeps
  // the address it was made on, and the next advertising after it uses the newest.
  let advertised = '';
  const rotate = (): void => {
    if (accepted || advertised === '' || radio.address === advertised) return;
    advertised = radio.address;
    bleno.stopAdvertising();
    useAddress(bleno, advertised);
    bleno.startAdvertisingWithEIRData(advertisement(), Buffer.alloc(0));
  };

  const onAccept = (address: string): void => {
    accepted = true;
    log(`band ${band.index}: central ${address} connected over HCI`);
    if (!band.running || radio.connected) {
      log(`band ${band.index}: busy (not running, or held by another central): disconnecting ${address}`);
      bleno.disconnect();
    }
  };
  const onMtu = (mtu: number): void => {
    attach(mtu);
  };
  const onDisconnect = (address: string): void => {
    accepted = false;
    notify = null;
    rotate();
    if (!attached) return;
    attached = false;
    log(`band ${band.index}: central ${address} disconnected`);
    radio.detach('central disconnected');
  };
  bleno.on('accept', onAccept);
  bleno.on('mtuChange', onMtu);
  bleno.on('disconnect', onDisconnect);

  const C = bleno.Characteristic;
  const service = new bleno.PrimaryService({
    uuid: SERVICE_UUID,
    characteristics: [
      new C({
        uuid: CONTROL_UUID,
        properties: ['write'],
        onWriteRequest: (data, offset, withoutResponse, cb) => {
          if (offset > 0) return cb(ATTR_NOT_LONG); // a fragment fits one write (docs/PROTOCOL.md §2)
          if (withoutResponse || !attach(MIN_MTU)) return cb(UNLIKELY);
          radio.write(new Uint8Array(data), () => cb(SUCCESS));
        },
      }),
      new C({
        uuid: STATUS_UUID,
        properties: ['notify'],
        onSubscribe: (_max, update) => {
          if (!attach(MIN_MTU)) return;
          notify = update;
          radio.subscribe(true);
        },
        onUnsubscribe: () => {
          notify = null;
          radio.subscribe(false);
        },
      }),
      new C({
        uuid: INFO_UUID,
        properties: ['read'],
        onReadRequest: (offset, cb) => {
          if (!attach(MIN_MTU)) return cb(UNLIKELY);
          const info = radio.readInfo();
          if (offset > info.length) return cb(INVALID_OFFSET);
          cb(SUCCESS, Buffer.from(info.subarray(offset)));
        },
      }),
    ],
  });
  await new Promise<void>((resolve, reject) => bleno.setServices([service], (err) => (err ? reject(err) : resolve())));
  advertised = radio.address;
  useAddress(bleno, advertised);
  await new Promise<void>((resolve, reject) =>
    bleno.startAdvertisingWithEIRData(advertisement(), Buffer.alloc(0), (err) => (err ? reject(err) : resolve())),
  );
  log(`band ${band.index}: advertising over HCI from ${advertised}`);
  const unwatch = radio.watchAddress(rotate);

  return {
    close: async () => {
      unwatch();
      bleno.removeListener('accept', onAccept);
      bleno.removeListener('mtuChange', onMtu);
      bleno.removeListener('disconnect', onDisconnect);
      if (attached) radio.detach('simulator stopping');
      bleno.disconnect();
      // bleno confirms once the controller answers; a controller already gone never does.
      await new Promise<void>((resolve) => {
        setTimeout(resolve, 500).unref();
        bleno.stopAdvertising(() => resolve());
      });
      const hci = bleno._bindings?._hci;
      if (hci?.pollIsDevUp) hci.pollIsDevUp = () => undefined;
      hci?._socket?.stop?.();
    },
  };
}
