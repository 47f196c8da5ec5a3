/**
 * The vendor image-signing key (ES256). Development builds generate one on first use
 * into `.keys/vendor-dev.json` (git-ignored); release builds point WRISTPAY_VENDOR_KEY at
 * a key file of the same shape. The public half goes to dist/vendor-pub.json so the
 * simulator can verify images.
 *
 * Key file (JSON): { "alg": "ES256", "privateKey": hex32, "publicKey": hex65 (SEC1
 * uncompressed), "keyId": hex8, "dev": boolean }.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { vendorKeyId } from '../../shared/image/verify.ts';

export interface VendorKey {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  keyId: Uint8Array;
  /** True for an auto-generated development key (sets the image's DEV_KEY flag). */
  dev: boolean;
}

export const DEFAULT_DEV_KEY_PATH = '.keys/vendor-dev.json';

export function toHex(a: Uint8Array): string {
  return Buffer.from(a).toString('hex');
}

export function fromHex(s: string, what: string): Uint8Array {
  if (typeof s !== 'string' || !/^([0-9a-f]{2})*$/i.test(s)) throw new Error(`${what}: not a hex string`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** Generates a fresh key pair (not written anywhere). */
export function generateVendorKey(dev = true): VendorKey {
  const privateKey = p256.utils.randomSecretKey();
  const publicKey = p256.getPublicKey(privateKey, false);
  return { privateKey, publicKey, keyId: vendorKeyId(publicKey), dev };
}

/** Reads a key file and checks that its halves belong together. */
export function loadVendorKey(path: string): VendorKey {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`vendor key ${path}: ${(err as Error).message}`);
  }
  if (json.alg !== 'ES256') throw new Error(`vendor key ${path}: alg must be ES256`);
  const privateKey = fromHex(json.privateKey as string, `vendor key ${path} privateKey`);
  if (privateKey.length !== 32 || !p256.utils.isValidSecretKey(privateKey))
    throw new Error(`vendor key ${path}: bad private key`);
  const publicKey = p256.getPublicKey(privateKey, false);
  if (json.publicKey !== undefined && json.publicKey !== toHex(publicKey)) {
    throw new Error(`vendor key ${path}: publicKey does not match privateKey`);
  }
  return { privateKey, publicKey, keyId: vendorKeyId(publicKey), dev: json.dev === true };
}

function keyJson(key: VendorKey, withPrivate: boolean): string {
  const body: Record<string, unknown> = { alg: 'ES256', crv: 'P-256' };
  if (withPrivate) body.privateKey = toHex(key.privateKey);
  body.publicKey = toHex(key.publicKey);
  body.keyId = toHex(key.keyId);
  body.dev = key.dev;
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** Writes the private key file, readable by the owner only. */
export function saveVendorKey(path: string, key: VendorKey): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, keyJson(key, true), { mode: 0o600 });
}

/** Writes the public half (dist/vendor-pub.json). */
export function savePublicKey(path: string, key: VendorKey): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, keyJson(key, false));
}

/** Reads a public key file written by savePublicKey (or a private key file). */
export function loadPublicKey(path: string): Uint8Array {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const pub = fromHex(json.publicKey as string, `${path} publicKey`);
  if (pub.length !== 65) throw new Error(`${path}: publicKey must be 65 bytes`);
  return pub;
}

/**
 * The key to sign with: the file named by `envPath` (must exist: a release key is never
 * silently replaced), else `devPath`, generated there on first use.
 */
export function resolveVendorKey(
  envPath: string | undefined,
  devPath = DEFAULT_DEV_KEY_PATH,
): { key: VendorKey; path: string; created: boolean } {
  if (envPath) {
    if (!existsSync(envPath)) throw new Error(`WRISTPAY_VENDOR_KEY=${envPath}: no such key file`);
    return { key: loadVendorKey(envPath), path: envPath, created: false };
  }
  if (existsSync(devPath)) return { key: loadVendorKey(devPath), path: devPath, created: false };
  const key = generateVendorKey(true);
  saveVendorKey(devPath, key);
  return { key, path: devPath, created: true };
}
