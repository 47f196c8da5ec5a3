/**
 * `wristpay doctor [--json]`: checks what wristpay needs, one line each (ok, warn or fail
 * and what to do), the way `brew doctor` and `flutter doctor` do. Exit 0 when nothing
 * fails, 1 when something does (warnings never change it); with --json one object, the
 * checks under "checks" and, when one failed, the error shape of ./cli-error.ts naming it.
 */
import type { Command } from 'commander';
import { Status, type StatusName } from '../shared/status/codes.ts';
import { WristpayError } from '../shared/status/error.ts';
import { type BridgeConfig, defaultConfigPath, loadConfig } from '../bridge/config/bridge-config.ts';
import { cliError, errorJson } from './cli-error.ts';
import { shippedImagePaths } from './demo/shipped-image.ts';
import { checkoutFrom, stateDirFrom } from './defaults.ts';
import { type Check, fail, warn } from './doctor/check.ts';
import { checkoutCheck, terminalCheck } from './doctor/checkout-checks.ts';
import { imageCheck, nodeCheck, stateChecks, testToolChecks } from './doctor/machine-checks.ts';
import { ExitCode } from './exit-codes.ts';
import { GROUP_SUMMARY } from './summaries.ts';

interface DoctorOptions {
  json?: boolean;
  state?: string;
  checkout?: string;
  config?: string;
  image?: string;
  vendorKey?: string;
}

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

function configCheck(path: string): { config: BridgeConfig; check?: Check } {
  try {
    const loaded = loadConfig(path);
    return {
      config: loaded.config,
      check: loaded.warning ? warn('config', loaded.warning, `chmod 600 ${path}`, Status.FORBIDDEN) : undefined,
    };
  } catch (e) {
    if (!(e instanceof WristpayError)) throw e;
    return {
      config: { version: 1 },
      check: fail('config', e.message, `fix or move away ${path} (pair again to make a new one)`, e.status),
    };
  }
}

export async function runDoctor(o: DoctorOptions, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const shipped = shippedImagePaths();
  const image = o.image ?? shipped.image;
  const { config, check: configProblem } = configCheck(o.config ?? defaultConfigPath(env));
  return [
    nodeCheck(),
    ...testToolChecks(),
    ...stateChecks(stateDirFrom(o.state, env), image),
    imageCheck(image, o.vendorKey ?? shipped.vendorKey),
    ...(configProblem ? [configProblem] : []),
    await checkoutCheck(checkoutFrom(o.checkout, env, config)),
    await terminalCheck(config),
  ];
}

function human(checks: Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map(
    (c) =>
      `${MARK[c.result]}  ${c.name.padEnd(width)}  ${c.message}${c.fix ? `\n${' '.repeat(width + 8)}fix: ${c.fix}` : ''}`,
  );
  const failed = checks.filter((c) => c.result === 'fail').length;
  const warned = checks.filter((c) => c.result === 'warn').length;
  const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  lines.push(
    '',
    failed + warned === 0 ? 'no problems found' : `${plural(failed, 'problem')}, ${plural(warned, 'warning')}`,
  );
  return lines.join('\n');
}

export function register(program: Command, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description(GROUP_SUMMARY.doctor)
    .option('--json', 'one JSON object: {"ok",checks:[{name,result,message,fix?,reason?}]}')
    .option(
      '--state <dir>',
      'band simulator state directory (default $WRISTPAY_STATE, else $XDG_DATA_HOME/wristpay/band)',
    )
    .option('--checkout <url>', "checkout URL (default $WRISTPAY_CHECKOUT, else the bridge config's)")
    .option('--config <file>', 'bridge config file (default $XDG_CONFIG_HOME/wristpay/bridge.json)')
    .option('--image <file>', 'band image to verify (default the one the package ships, dist/band.img)')
    .option(
      '--vendor-key <file>',
      'vendor public key to verify it with (default the one the package ships, dist/vendor-pub.json)',
    )
    .action(async (o: DoctorOptions) => {
      const checks = await runDoctor(o, process.env);
      const failed = checks.filter((c) => c.result === 'fail');
      if (!o.json) process.stdout.write(human(checks) + '\n');
      else if (failed.length === 0) process.stdout.write(JSON.stringify({ ok: true, checks }) + '\n');
      else {
        const first = failed[0];
        const e = cliError(
          Status[first.reason as StatusName] ?? Status.INTERNAL,
          `${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((c) => c.name).join(', ')}`,
          first.fix,
        );
        process.stdout.write(errorJson(e, {}, { checks }) + '\n');
      }
      setExit(failed.length === 0 ? ExitCode.OK : ExitCode.DECLINED);
    });
}
