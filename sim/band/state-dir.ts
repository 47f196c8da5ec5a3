/**
 * The simulator's state directory: where a flashed image and each band's persistent
 * state live between runs.
 *
 *   DIR/firmware.img        the flashed image (as given to `sim flash`)
 *   DIR/firmware.json       what `sim flash` checked (signed or not, key id, sha-256)
 *   DIR/vendor-pub.json     the vendor key the image was verified with ("burned into the bootloader")
 *   DIR/control.json        written by a running simulator: control URL + token (mode 0600)
 *   DIR/sim.lock            held by a running simulator (one simulator per directory)
 *   DIR/band-K/band.json    the band's serial number and flash geometry (no radio address: the
 *                           radio takes a new private one every boot, docs/PROTOCOL.md §7)
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
  const base =
    env.XDG_DATA_HOME && env.XDG_DATA_HOME.length > 0 ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
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
  if (!Number.isInteger(index) || index < 1 || index > MAX_BANDS)
    throw new RangeError(`band number must be 1..${MAX_BANDS}, got ${index}`);
  const d = join(resolve(dir), `band-${index}`);
  return {
    dir: d,
    identity: join(d, 'band.json'),
    secureElement: join(d, 'secure-element.json'),
    flash: join(d, 'flash.bin'),
  };
}

/**
 * What makes one simulated band itself. Never sent over the air. Version 1 also held a
 * random static address, which let a scanner follow the band across restarts; it is
 * dropped when a version-1 file is loaded (the file is rewritten as version 2).
 */
export interface BandIdentity {
  version: 2;
  /** Printed on the case; shown in the UI and `sim status`, never advertised. */
  serial: string;
  createdAt: string;
  flash: { pageSize: number; pageCount: number };
}

function newSerial(): string {
  const h = randomBytes(4).toString('hex').toUpperCase();
  return `WP-${h.slice(0, 4)}-${h.slice(4)}`;
}

interface StoredIdentity {
  version?: unknown;
  serial?: unknown;
  createdAt?: unknown;
  flash?: { pageSize?: unknown; pageCount?: unknown };
}

/** A version-2 identity, or a version-1 one without its address; null when the file is neither. */
function checkIdentity(v: StoredIdentity | undefined): BandIdentity | null {
  const f = v?.flash;
  const okFlash =
    f &&
    Number.isInteger(f.pageSize) &&
    Number.isInteger(f.pageCount) &&
    (f.pageSize as number) >= 16 &&
    (f.pageCount as number) >= 2;
  if (!v || (v.version !== 1 && v.version !== 2) || typeof v.serial !== 'string' || !okFlash) return null;
  return {
    version: 2,
    serial: v.serial,
    createdAt: String(v.createdAt ?? ''),
    flash: { pageSize: f.pageSize as number, pageCount: f.pageCount as number },
  };
}

/** Reads band K's identity, creating it (new serial) the first time; a version-1 file loses its static address. */
export function loadOrCreateIdentity(dir: string, index: number): { identity: BandIdentity; created: boolean } {
  const p = bandPaths(dir, index);
  const found = readJsonFile<StoredIdentity>(p.identity);
  if (found !== undefined) {
    const identity = checkIdentity(found);
    if (identity === null)
      throw new Error(`${p.identity}: not a band identity file (delete the band's directory to start it afresh)`);
    if (found.version === 1) writeJsonAtomic(p.identity, identity);
    return { identity, created: false };
  }
  const identity: BandIdentity = {
    version: 2,
    serial: newSerial(),
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
