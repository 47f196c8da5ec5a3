/**
 * What the bridge commands share: the common options (--json, --config, --radio,
 * --user, --password-stdin, --checkout), loading the config, finding the checkout, and
 * getting a password without echo. Each helper reports its own failure (and sets the
 * exit code) and returns null, so a command reads as a straight line.
 */
import type { Command } from 'commander';
import { CheckoutClient, CheckoutHttpError } from '../checkout/api/client.ts';
import { Status } from '../shared/status/codes.ts';
import { WristpayError } from '../shared/status/error.ts';
import {
  type BridgeConfig,
  type LoadedConfig,
  defaultConfigPath,
  deviceTokenKey,
  loadConfig,
  rememberDeviceToken,
} from '../bridge/config/bridge-config.ts';
import { refusalOf } from '../bridge/flows/outcome.ts';
import { bandSecondFactor } from './band-second-factor.ts';
import { checkoutFrom } from './defaults.ts';
import { ExitCode } from './exit-codes.ts';
import type { Out } from './bridge-io.ts';
import { RADIO_HELP } from './radio-session.ts';
import { readSecret, readStdinLine } from './secret-input.ts';

export interface CommonOptions {
  json?: boolean;
  config?: string;
}
export interface OwnerOptions extends CommonOptions {
  user?: string;
  passwordStdin?: boolean;
  checkout?: string;
}

export function common(cmd: Command): Command {
  return cmd
    .option('--json', 'print one JSON object (for scripts)')
    .option('--config <file>', 'bridge config file (default $XDG_CONFIG_HOME/wristpay/bridge.json)');
}

export function radio(cmd: Command): Command {
  return cmd.option('--radio <radio>', RADIO_HELP).option('--scan-ms <ms>', 'how long to scan for bands', '2000');
}

export function owner(cmd: Command, userRequired = true): Command {
  const c = userRequired
    ? cmd.requiredOption('--user <name>', 'your wristpay account')
    : cmd.option('--user <name>', 'your wristpay account (shows its bands)');
  return c
    .option('--password-stdin', 'read the account password from the first line of stdin instead of prompting')
    .option('--checkout <url>', "checkout URL (default: $WRISTPAY_CHECKOUT, else the config's)");
}

export function configPath(out: Out, opts: CommonOptions): string {
  return opts.config ?? defaultConfigPath(out.io.env);
}

export function readConfig(out: Out, opts: CommonOptions): LoadedConfig | null {
  try {
    const loaded = loadConfig(configPath(out, opts));
    if (loaded.warning) out.warn(loaded.warning);
    return loaded;
  } catch (e) {
    if (!(e instanceof WristpayError)) throw e;
    // A config that cannot be read or is not one: an I/O problem of this machine (exit 3).
    out.fail(ExitCode.UNREACHABLE, e.status, e.message, {
      hint: `fix or move away ${configPath(out, opts)} (pair again to make a new one)`,
    });
    return null;
  }
}

export function checkoutUrl(out: Out, explicit: string | undefined, config: BridgeConfig): string | null {
  const url = checkoutFrom(explicit, out.io.env, config);
  if (!url) {
    out.usage('which checkout?', 'pass --checkout URL, set WRISTPAY_CHECKOUT, or pair this bridge first');
    return null;
  }
  if (!/^https?:\/\/\S+$/.test(url)) {
    out.usage(`--checkout must be an http(s) URL, not ${url}`);
    return null;
  }
  return url;
}

/**
 * A secret from stdin (--password-stdin) or typed without echo. When stdin is not a
 * terminal and the flag is absent there is no one to ask: fail with `nonTtyCode`.
 */
export async function secret(
  out: Out,
  fromStdin: boolean | undefined,
  prompt: string,
  nonTtyCode: number = ExitCode.USAGE,
): Promise<string | null> {
  const { stdin, stderr } = out.io;
  if (fromStdin) {
    const line = await readStdinLine(stdin);
    if (line === '') {
      out.usage('--password-stdin: stdin held no password');
      return null;
    }
    return line;
  }
  if (!stdin.isTTY) {
    out.fail(nonTtyCode, Status.PASSWORD_REQUIRED, 'a password is needed but stdin is not a terminal', {
      hint: 'pipe it in with --password-stdin',
    });
    return null;
  }
  const value = await readSecret(stdin, stderr, prompt);
  if (value === null || value === '') {
    out.fail(nonTtyCode, Status.PASSWORD_REQUIRED, 'no password entered');
    return null;
  }
  return value;
}

export interface OwnerLogin {
  anon: CheckoutClient;
  client: CheckoutClient;
  username: string;
  logout(): Promise<void>;
}

/**
 * The device token this bridge holds for the owner at this checkout, and a way to keep the
 * fresh one the checkout answers with. A config that cannot be written only costs the
 * owner the token (warned), not the command.
 */
export function deviceTokens(
  out: Out,
  opts: CommonOptions,
  config: BridgeConfig,
  url: string,
  user: string,
): { token?: string; keep(token: string): void } {
  return {
    token: config.deviceTokens?.[deviceTokenKey(url, user)],
    keep(token: string) {
      try {
        rememberDeviceToken(configPath(out, opts), url, user, token);
      } catch (e) {
        out.warn(`could not keep the device token: ${(e as Error).message}`);
      }
    },
  };
}

/** Asks for the password and logs the owner in (with this bridge's device token); null when that failed (reported). */
export async function login(out: Out, opts: OwnerOptions, config: BridgeConfig): Promise<OwnerLogin | null> {
  const url = checkoutUrl(out, opts.checkout, config);
  if (!url || !opts.user) return null;
  const password = await secret(out, opts.passwordStdin, `Password for ${opts.user}: `);
  if (password === null) return null;
  const anon = new CheckoutClient(url, { fetch: out.io.fetch });
  const device = deviceTokens(out, opts, config, url, opts.user);
  try {
    let token: string;
    try {
      const session = await anon.login(opts.user, password, device.token);
      device.keep(session.deviceToken);
      token = session.token;
    } catch (e) {
      if (!(e instanceof CheckoutHttpError) || e.status !== Status.BAND_REQUIRED) throw e;
      token = await bandSecondFactor(out, anon, opts.user, password);
    }
    const client = anon.withToken(token);
    return { anon, client, username: opts.user, logout: () => client.logout().catch(() => undefined) };
  } catch (e) {
    out.refuse(refusalOf(e, 'checkout'));
    return null;
  }
}
