/**
 * The bridge's config file: the paired terminal's identity (id, merchant, checkout URL
 * and the private key scalar), a default checkout URL for owner commands, the device
 * tokens the checkout gave owners who signed in here (their password attempts then count
 * apart from a stranger's, so the owner is not locked out by one: docs/CHECKOUT.md), and the
 * identity resolving keys of the bands enrolled from this bridge (docs/PROTOCOL.md §7:
 * whoever holds one can follow that band, so they are as private as the terminal key).
 *
 * Where: `--config FILE`, else $XDG_CONFIG_HOME/wristpay/bridge.json, else
 * ~/.config/wristpay/bridge.json. The directory is created 0700 and the file written 0600
 * atomically (temp file + rename), because the key scalar IS the terminal: whoever reads
 * it can charge as this till. A file readable by group or others is reported.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Status } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import type { TerminalIdentity } from '../flows/pair.ts';

/** A band enrolled from this bridge: its device id and IRK (32 hex digits, Core Vol 3 Part H §2.4.2.1). */
export interface OwnBand {
  deviceId: string;
  irk: string;
  enrolledAt: number;
}

export interface BridgeConfig {
  version: 1;
  /** Default checkout for owner commands (set by `pair`). */
  checkoutUrl?: string;
  terminal?: TerminalIdentity;
  /** Device token per owner and checkout, keyed by deviceTokenKey(). */
  deviceTokens?: Record<string, string>;
  /** Owner commands look for these bands only (by resolving their private addresses). */
  bands?: OwnBand[];
}

function isOwnBand(b: unknown): b is OwnBand {
  const x = b as Record<string, unknown>;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.deviceId === 'string' &&
    typeof x.irk === 'string' &&
    /^[0-9a-f]{32}$/.test(x.irk) &&
    typeof x.enrolledAt === 'number'
  );
}

/** The config with `band` remembered (replacing an entry for the same device). */
export function withOwnBand(config: BridgeConfig, band: OwnBand): BridgeConfig {
  return { ...config, bands: [...(config.bands ?? []).filter((b) => b.deviceId !== band.deviceId), band] };
}

/** Remembers an enrolled band's IRK; re-reads the file so a device token saved meanwhile is kept. */
export function rememberOwnBand(path: string, band: OwnBand): void {
  saveConfig(path, withOwnBand(loadConfig(path).config, band));
}

/** The IRKs owner commands resolve with: every band's, or only `deviceId`'s when one is named. */
export function identityKeys(config: BridgeConfig, deviceId?: string): Uint8Array[] {
  return (config.bands ?? [])
    .filter((b) => deviceId === undefined || b.deviceId === deviceId)
    .map((b) => new Uint8Array(Buffer.from(b.irk, 'hex')));
}

/** The key of an owner's device token: a token is only good at the checkout that issued it, for that username. */
export function deviceTokenKey(checkoutUrl: string, username: string): string {
  return `${username} ${checkoutUrl.replace(/\/+$/, '')}`;
}

/** Keeps the checkout's fresh device token for the next sign-in; re-reads the file so nothing else written meanwhile is lost. */
export function rememberDeviceToken(path: string, checkoutUrl: string, username: string, token: string): void {
  const { config } = loadConfig(path);
  saveConfig(path, {
    ...config,
    deviceTokens: { ...config.deviceTokens, [deviceTokenKey(checkoutUrl, username)]: token },
  });
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'wristpay', 'bridge.json');
}

export interface LoadedConfig {
  config: BridgeConfig;
  /** Null when the file does not exist yet. */
  path: string;
  exists: boolean;
  /** Set when the file's mode lets others read the terminal key. */
  warning?: string;
}

function isIdentity(t: unknown): t is TerminalIdentity {
  const x = t as Record<string, unknown>;
  return (
    typeof x === 'object' &&
    x !== null &&
    ['checkoutUrl', 'terminalId', 'merchantId', 'merchantName', 'name', 'key'].every((k) => typeof x[k] === 'string') &&
    typeof x.pairedAt === 'number'
  );
}

function isStringMap(m: unknown): m is Record<string, string> {
  return (
    typeof m === 'object' && m !== null && !Array.isArray(m) && Object.values(m).every((v) => typeof v === 'string')
  );
}

/** Reads the config; a missing file is an empty config, a corrupt one is MALFORMED. */
export function loadConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { config: { version: 1 }, path, exists: false };
    throw new WristpayError(Status.UNREACHABLE, `cannot read ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WristpayError(Status.MALFORMED, `${path} is not JSON`);
  }
  const c = parsed as Partial<BridgeConfig>;
  if (typeof c !== 'object' || c === null || c.version !== 1)
    throw new WristpayError(Status.MALFORMED, `${path}: not a wristpay bridge config (version 1)`);
  if (c.terminal !== undefined && !isIdentity(c.terminal))
    throw new WristpayError(Status.MALFORMED, `${path}: the terminal entry is incomplete`);
  if (c.checkoutUrl !== undefined && typeof c.checkoutUrl !== 'string')
    throw new WristpayError(Status.MALFORMED, `${path}: checkoutUrl must be a string`);
  if (c.deviceTokens !== undefined && !isStringMap(c.deviceTokens))
    throw new WristpayError(Status.MALFORMED, `${path}: deviceTokens must map names to strings`);
  if (c.bands !== undefined && !(Array.isArray(c.bands) && c.bands.every(isOwnBand)))
    throw new WristpayError(
      Status.MALFORMED,
      `${path}: bands must be a list of { deviceId, irk (32 hex digits), enrolledAt }`,
    );
  const mode = statSync(path).mode & 0o777;
  const secrets = [
    c.terminal ? 'the terminal key' : null,
    c.deviceTokens ? 'device tokens' : null,
    c.bands && c.bands.length > 0 ? "your bands' identity keys" : null,
  ].filter((x) => x !== null);
  const warning =
    secrets.length > 0 && (mode & 0o077) !== 0
      ? `${path} is readable by others (mode ${mode.toString(8)}); it holds ${secrets.join(', ')}: chmod 600 ${path}`
      : undefined;
  return {
    config: {
      version: 1,
      checkoutUrl: c.checkoutUrl,
      terminal: c.terminal,
      deviceTokens: c.deviceTokens,
      bands: c.bands,
    },
    path,
    exists: true,
    warning,
  };
}

/** Writes the config atomically with mode 0600 (directory 0700). */
export function saveConfig(path: string, config: BridgeConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600); // an existing temp file keeps its mode under writeFileSync
  renameSync(tmp, path);
}
