/**
 * The bridge's config file: the paired terminal's identity (id, merchant, checkout URL
 * and the private key scalar), a default checkout URL for owner commands, and the device
 * tokens the checkout gave owners who signed in here (their password attempts then count
 * apart from a stranger's, so the owner is not locked out by one: docs/CHECKOUT.md).
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

export interface BridgeConfig {
  version: 1;
  /** Default checkout for owner commands (set by `pair`). */
  checkoutUrl?: string;
  terminal?: TerminalIdentity;
  /** Device token per owner and checkout, keyed by deviceTokenKey(). */
  deviceTokens?: Record<string, string>;
}

/** The key of an owner's device token: a token is only good at the checkout that issued it, for that username. */
export function deviceTokenKey(checkoutUrl: string, username: string): string {
  return `${username} ${checkoutUrl.replace(/\/+$/, '')}`;
}

/** Keeps the checkout's fresh device token for the next sign-in; re-reads the file so nothing else written meanwhile is lost. */
export function rememberDeviceToken(path: string, checkoutUrl: string, username: string, token: string): void {
  const { config } = loadConfig(path);
  saveConfig(path, { ...config, deviceTokens: { ...config.deviceTokens, [deviceTokenKey(checkoutUrl, username)]: token } });
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
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
  return typeof x === 'object' && x !== null && ['checkoutUrl', 'terminalId', 'merchantId', 'merchantName', 'name', 'key'].every((k) => typeof x[k] === 'string') && typeof x.pairedAt === 'number';
}

function isStringMap(m: unknown): m is Record<string, string> {
  return typeof m === 'object' && m !== null && !Array.isArray(m) && Object.values(m).every((v) => typeof v === 'string');
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
  if (typeof c !== 'object' || c === null || c.version !== 1) throw new WristpayError(Status.MALFORMED, `${path}: not a wristpay bridge config (version 1)`);
  if (c.terminal !== undefined && !isIdentity(c.terminal)) throw new WristpayError(Status.MALFORMED, `${path}: the terminal entry is incomplete`);
  if (c.checkoutUrl !== undefined && typeof c.checkoutUrl !== 'string') throw new WristpayError(Status.MALFORMED, `${path}: checkoutUrl must be a string`);
  if (c.deviceTokens !== undefined && !isStringMap(c.deviceTokens)) throw new WristpayError(Status.MALFORMED, `${path}: deviceTokens must map names to strings`);
  const mode = statSync(path).mode & 0o777;
  const secrets = c.terminal ? 'the terminal key' : c.deviceTokens ? 'device tokens' : null;
  const warning = secrets && (mode & 0o077) !== 0 ? `${path} is readable by others (mode ${mode.toString(8)}); it holds ${secrets}: chmod 600 ${path}` : undefined;
  return { config: { version: 1, checkoutUrl: c.checkoutUrl, terminal: c.terminal, deviceTokens: c.deviceTokens }, path, exists: true, warning };
}

/** Writes the config atomically with mode 0600 (directory 0700). */
export function saveConfig(path: string, config: BridgeConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600); // an existing temp file keeps its mode under writeFileSync
  renameSync(tmp, path);
}
