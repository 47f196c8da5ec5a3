/**
 * `sim flash`: checks an image (header, code hash, vendor signature; shared/image) and
 * stores it in the state directory; `loadFlashedImage` is the simulator's bootloader,
 * which checks it again before anything runs. Nothing here throws on bad input: every
 * refusal is a status code plus a sentence.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { IMAGE_FLAG_DEV_KEY, IMAGE_MAGIC } from '../../shared/image/header.ts';
import { parseImage, vendorKeyId, verifyImage, verifyImageBytes, type ParsedImage } from '../../shared/image/verify.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from './atomic-file.ts';
import { runningSimulatorPid } from './sim-lock.ts';
import { loadOrCreateIdentity, statePaths } from './state-dir.ts';

export const DEFAULT_VENDOR_KEY = 'dist/vendor-pub.json';

/** What `sim flash` recorded about the image in DIR/firmware.json. */
export interface FirmwareMeta {
  version: 1;
  /** 'image': a WPIMG1 image; 'script': bare code, only with --allow-unsigned. */
  format: 'image' | 'script';
  /** True when the vendor signature verified. */
  signed: boolean;
  /** The image carries the development-key flag. */
  devKey: boolean;
  keyId: string | null;
  firmwareVersion: string | null;
  sha256: string;
  size: number;
  source: string;
  flashedAt: string;
}

export type Refusal = { ok: false; status: StatusCode; message: string };
export type FlashOutcome =
  | { ok: true; meta: FirmwareMeta; stateDir: string; band: { serial: string; created: boolean } }
  | Refusal;

export interface FlashImageOptions {
  image: string;
  stateDir: string;
  /** JSON file with the vendor public key ({ publicKey: hex65 }); default dist/vendor-pub.json. */
  vendorKey?: string;
  /** Accept an image whose signature does not verify, or bare code; the band runs it marked unsigned. */
  allowUnsigned?: boolean;
}

const refuse = (status: StatusCode, message: string): Refusal => ({ ok: false, status, message });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function readBytes(path: string): Uint8Array | Refusal {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return refuse(
      Status.NOT_FOUND,
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
}

/** Reads a vendor key file (dist/vendor-pub.json shape, or any JSON with publicKey hex). */
export function readVendorKey(path: string): Uint8Array | Refusal {
  let json: { publicKey?: unknown } | undefined;
  try {
    json = readJsonFile<{ publicKey?: unknown }>(path);
  } catch (err) {
    return refuse(Status.MALFORMED, (err as Error).message);
  }
  if (json === undefined)
    return refuse(Status.NOT_FOUND, `no vendor key at ${path} (build the image first, or pass --vendor-key FILE)`);
  if (typeof json.publicKey !== 'string' || !/^04[0-9a-f]{128}$/i.test(json.publicKey)) {
    return refuse(Status.INVALID_KEY, `${path}: publicKey must be 65 bytes of uncompressed P-256 point in hex`);
  }
  return new Uint8Array(Buffer.from(json.publicKey, 'hex'));
}

function startsWithMagic(bytes: Uint8Array): boolean {
  if (bytes.length < IMAGE_MAGIC.length) return false;
  for (let i = 0; i < IMAGE_MAGIC.length; i++) if (bytes[i] !== IMAGE_MAGIC[i]) return false;
  return true;
}

function isRefusal(v: unknown): v is Refusal {
  return typeof v === 'object' && v !== null && (v as Refusal).ok === false;
}

export interface CheckedImage {
  bytes: Uint8Array;
  meta: FirmwareMeta;
  /** The vendor key the signature verified with; null when it did not (unsigned, allowed). */
  vendorKey: Uint8Array | null;
}

/**
 * The checks `sim flash` makes before writing anything (header, code hash, vendor
 * signature), on their own: `wristpay doctor` asks whether the shipped image would flash.
 */
export function checkImage(opts: Omit<FlashImageOptions, 'stateDir'>): { ok: true; value: CheckedImage } | Refusal {
  const bytes = readBytes(opts.image);
  if (isRefusal(bytes)) return bytes;
  const keyPath = resolve(opts.vendorKey ?? DEFAULT_VENDOR_KEY);
  const base = {
    version: 1 as const,
    sha256: hex(createHash('sha256').update(bytes).digest()),
    size: bytes.length,
    source: resolve(opts.image),
    flashedAt: new Date().toISOString(),
  };
  if (!startsWithMagic(bytes)) {
    if (!opts.allowUnsigned)
      return refuse(
        Status.MALFORMED,
        `${opts.image} is not a wristpay image (no WPIMG1 header); bare code runs only with --allow-unsigned`,
      );
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return refuse(Status.MALFORMED, `${opts.image} is neither an image nor UTF-8 code`);
    }
    const meta: FirmwareMeta = {
      ...base,
      format: 'script',
      signed: false,
      devKey: false,
      keyId: null,
      firmwareVersion: null,
    };
    return { ok: true, value: { bytes, meta, vendorKey: null } };
  }
  const parsed = parseImage(bytes);
  if (!parsed.ok)
    return refuse(parsed.status, `refused ${opts.image}: damaged or tampered image (${parsed.detail ?? 'bad header'})`);
  const key = readVendorKey(keyPath);
  let signed = false;
  let vendorKey: Uint8Array | null = null;
  if (!isRefusal(key)) {
    const verified = verifyImage(parsed.value, key);
    signed = verified.ok;
    if (!verified.ok && !opts.allowUnsigned)
      return refuse(
        verified.status,
        `refused ${opts.image}: ${verified.detail ?? 'signature does not verify'} (vendor key ${keyPath})`,
      );
    if (verified.ok) vendorKey = key;
  } else if (!opts.allowUnsigned) {
    return key;
  }
  const meta: FirmwareMeta = { ...base, format: 'image', signed, ...describeHeader(parsed.value) };
  return { ok: true, value: { bytes, meta, vendorKey } };
}

/** Verifies `opts.image` and writes it into the state directory. */
export function flashImage(opts: FlashImageOptions): FlashOutcome {
  const paths = statePaths(opts.stateDir);
  const pid = runningSimulatorPid(paths.dir);
  if (pid !== null)
    return refuse(Status.BUSY, `a simulator (pid ${pid}) is running on ${paths.dir}; stop it before flashing`);
  const checked = checkImage(opts);
  if (!checked.ok) return checked;
  const { bytes, meta, vendorKey } = checked.value;
  writeFileAtomic(paths.firmware, bytes);
  if (vendorKey !== null)
    writeJsonAtomic(paths.vendorKey, {
      alg: 'ES256',
      crv: 'P-256',
      publicKey: hex(vendorKey),
      keyId: hex(vendorKeyId(vendorKey)),
    });
  writeJsonAtomic(paths.firmwareMeta, meta);
  const { identity, created } = loadOrCreateIdentity(paths.dir, 1);
  return { ok: true, meta, stateDir: paths.dir, band: { serial: identity.serial, created } };
}

function describeHeader(p: ParsedImage): Pick<FirmwareMeta, 'devKey' | 'keyId' | 'firmwareVersion'> {
  const v = p.header.firmwareVersion;
  return {
    devKey: (p.header.flags & IMAGE_FLAG_DEV_KEY) !== 0,
    keyId: hex(p.header.keyId),
    firmwareVersion: `${v.major}.${v.minor}.${v.patch}`,
  };
}

export interface LoadedFirmware {
  code: string;
  meta: FirmwareMeta;
}

/** The bootloader: reads DIR's image and checks it again (hash, and signature unless flashed unsigned). */
export function loadFlashedImage(stateDir: string): { ok: true; value: LoadedFirmware } | Refusal {
  const paths = statePaths(stateDir);
  let meta: FirmwareMeta | undefined;
  try {
    meta = readJsonFile<FirmwareMeta>(paths.firmwareMeta);
  } catch (err) {
    return refuse(Status.MALFORMED, (err as Error).message);
  }
  if (meta === undefined || meta.version !== 1)
    return refuse(
      Status.NOT_FOUND,
      `nothing flashed in ${paths.dir}: run \`wristpay sim flash <image> --state ${paths.dir}\` first`,
    );
  const bytes = readBytes(paths.firmware);
  if (isRefusal(bytes)) return bytes;
  if (hex(createHash('sha256').update(bytes).digest()) !== meta.sha256)
    return refuse(Status.MALFORMED, `${paths.firmware} does not match ${paths.firmwareMeta}: flash the image again`);
  if (meta.format === 'script') return { ok: true, value: { code: new TextDecoder().decode(bytes), meta } };
  if (meta.signed) {
    const key = readVendorKey(paths.vendorKey);
    if (isRefusal(key)) return key;
    const verified = verifyImageBytes(bytes, key);
    if (!verified.ok) return refuse(verified.status, `${paths.firmware}: ${verified.detail ?? 'does not verify'}`);
    return { ok: true, value: { code: verified.value.code, meta } };
  }
  const parsed = parseImage(bytes);
  if (!parsed.ok) return refuse(parsed.status, `${paths.firmware}: ${parsed.detail ?? 'damaged'}`);
  return { ok: true, value: { code: parsed.value.code, meta } };
}
