/**
 * The simulator's state directory: where a flashed image and each band's persistent
 * state live between runs.
 *
 *   DIR/firmware.img        the flashed image (as given to `sim flash`)
 *   DIR/firmware.json       what `sim flash` checked (signed or not, key id, sha-256)
 *   DIR/vendor-pub.json     the vendor key the image was verified with ("burned into the bootloader")
 *   DIR/control.json        written by a running simulator: control URL + token (mode 0600)
 *   DIR/sim.lock            held by a running simulator (one simulator per directory)
 *   DIR/band-K/band.json    the band's serial number, radio address and flash geometry
 *   DIR/band-K/secure-element.json   key slots (emulator only: a real SE never exports them)
 *   DIR/band-K/flash.bin    the NOR flash pages
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readJsonFile, writeJsonAtomic } from './atomic-file.ts';

export const DEFAULT_RADIO_PORT = 2846; // 0xB1E: the port noble's websocket bindings dial
export const DEFAULT_UI_PORT = 2847;
export const DEFAULT_PAGE_SIZE = 4096;
export const DEFAULT_PAGE_COUNT = 16;
export const MAX_BANDS = 16;

/** $XDG_DATA_HOME/wristpay/band, else ~/.local/share/wristpay/band. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.length > 0 ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'wristpay', 'band');
}

export interface StatePaths {
  dir: string;
  firmware: string;
  firmwareMeta: string;
  vendorKey: string;
  control: string;
  lock: string;
}

export function statePaths(dir: string): StatePaths {
  const d = resolve(dir);
  return {
    dir: d,
    firmware: join(d, 'firmware.img'),
    firmwareMeta: join(d, 'firmware.json'),
    vendorKey: join(d, 'vendor-pub.json'),
    control: join(d, 'control.json'),
    lock: join(d, 'sim.lock'),
  };
}

export interface BandPaths {
  dir: string;
  identity: string;
  secureElement: string;
  flash: string;
}

/** Band K (1-based) lives in DIR/band-K. */
export function bandPaths(dir: string, index: number): BandPaths {
  if (!Number.isInteger(index) || index < 1 || index > MAX_BANDS) throw new RangeError(`band number must be 1..${MAX_BANDS}, got ${index}`);
  const d = join(resolve(dir), `band-${index}`);
  return { dir: d, identity: join(d, 'band.json'), secureElement: join(d, 'secure-element.json'), flash: join(d, 'flash.bin') };
}

/** What makes one simulated band itself. Never sent over the air (the address is the radio's own). */
export interface BandIdentity {
  version: 1;
  /** Printed on the case; shown in the UI and `sim status`, never advertised. */
  serial: string;
  /** Bluetooth random static address, lower-case "c3:…", stable across restarts. */
  address: string;
  createdAt: string;
  flash: { pageSize: number; pageCount: number };
}

function newSerial(): string {
  const h = randomBytes(4).toString('hex').toUpperCase();
  return `WP-${h.slice(0, 4)}-${h.slice(4)}`;
}

/** A random static address (Core Vol 6 Part B 1.3.2.1: the two top bits are 1). */
function newAddress(): string {
  const b = randomBytes(6);
  b[0] |= 0xc0;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function checkIdentity(v: BandIdentity | undefined, path: string): BandIdentity {
  const okFlash = v?.flash && Number.isInteger(v.flash.pageSize) && Number.isInteger(v.flash.pageCount) && v.flash.pageSize >= 16 && v.flash.pageCount >= 2;
  if (!v || v.version !== 1 || typeof v.serial !== 'string' || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(String(v.address)) || !okFlash) {
    throw new Error(`${path}: not a band identity file (delete the band's directory to start it afresh)`);
  }
  return v;
}

/** Reads band K's identity, creating it (new serial and address) the first time. */
export function loadOrCreateIdentity(dir: string, index: number): { identity: BandIdentity; created: boolean } {
  const p = bandPaths(dir, index);
  const found = readJsonFile<BandIdentity>(p.identity);
  if (found !== undefined) return { identity: checkIdentity(found, p.identity), created: false };
  const identity: BandIdentity = {
    version: 1,
    serial: newSerial(),
    address: newAddress(),
    createdAt: new Date().toISOString(),
    flash: { pageSize: DEFAULT_PAGE_SIZE, pageCount: DEFAULT_PAGE_COUNT },
  };
  writeJsonAtomic(p.identity, identity);
  return { identity, created: true };
}

/** noble's peripheral id for an address: the address without colons. */
export function peripheralIdOf(address: string): string {
  return address.replace(/:/g, '').toLowerCase();
}
