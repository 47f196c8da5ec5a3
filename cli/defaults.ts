/**
 * Where a setting comes from, in the order git, npm and stripe's CLI use: the flag, else
 * the environment, else the config file, else the built-in default. An empty variable
 * counts as unset (`WRISTPAY_CHECKOUT= wristpay …` turns it off for one run).
 */
import { defaultStateDir } from '../sim/band/state-dir.ts';

export const ENVIRONMENT_HELP = [
  'Environment (a flag beats its variable, a variable beats the config file):',
  '  WRISTPAY_CHECKOUT  checkout URL for --checkout (owner commands; a paired till uses its own)',
  '  WRISTPAY_STATE     band simulator state directory for --state (default $XDG_DATA_HOME/wristpay/band)',
  '  WRISTPAY_RADIO     radio for --radio (default ws://127.0.0.1:2846)',
  '  XDG_CONFIG_HOME    the bridge config lives in $XDG_CONFIG_HOME/wristpay/bridge.json (default ~/.config)',
].join('\n');

function set(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** --state, else $WRISTPAY_STATE, else $XDG_DATA_HOME/wristpay/band. */
export function stateDirFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return set(flag) ?? set(env.WRISTPAY_STATE) ?? defaultStateDir(env);
}

/** --checkout, else $WRISTPAY_CHECKOUT, else the config's, else none. */
export function checkoutFrom(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  config: { checkoutUrl?: string; terminal?: { checkoutUrl: string } },
): string | undefined {
  return set(flag) ?? set(env.WRISTPAY_CHECKOUT) ?? config.checkoutUrl ?? config.terminal?.checkoutUrl;
}
