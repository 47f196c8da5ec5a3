/**
 * What `wristpay doctor` checks on this machine without any service: the Node version
 * package.json asks for, the programs the test suites drive, the simulator's state
 * directory and the band image the package ships.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { Status } from '../../shared/status/codes.ts';
import { checkImage, loadFlashedImage } from '../../sim/band/firmware-store.ts';
import { runningSimulatorPid } from '../../sim/band/sim-lock.ts';
import { nodeEngine } from '../package-root.ts';
import { type Check, fail, ok, warn } from './check.ts';
import { TEST_TOOLS, toolPresent } from './test-tools.ts';

/** `>=20`, `>=20.6` or `>=20.6.1`: the only form package.json uses; anything else is not judged. */
function meets(version: string, range: string): boolean | null {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!m) return null;
  const want = [m[1], m[2] ?? '0', m[3] ?? '0'].map(Number);
  const have = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i] > want[i];
  return true;
}

export function nodeCheck(version = process.version): Check {
  const range = nodeEngine();
  if (range === undefined) return ok('node', `Node ${version}`);
  const verdict = meets(version, range);
  if (verdict === null)
    return warn('node', `Node ${version}; cannot judge package.json's "${range}"`, `use Node ${range}`);
  return verdict
    ? ok('node', `Node ${version} (wristpay needs ${range})`)
    : fail(
        'node',
        `Node ${version} is too old (wristpay needs ${range})`,
        `install Node ${range}`,
        Status.UNSUPPORTED_VERSION,
      );
}

/** Missing tools only skip test suites (CI fails them instead): a warning, not a failure. */
export function testToolChecks(): Check[] {
  return TEST_TOOLS.map((t) =>
    toolPresent(t.path)
      ? ok(t.name, `${t.path}: ${t.needs} can run`)
      : warn(t.name, `no ${t.path}: ${t.needs} are skipped`, `sudo apt-get install -y ${t.apt}`),
  );
}

/** The state directory (exists, writable, no simulator holding it) and what is flashed there. */
export function stateChecks(dir: string, image: string): Check[] {
  const flash = `wristpay sim flash ${image} --state ${dir}`;
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return [fail('state', `no state directory ${dir}`, `flash an image, which creates it: ${flash}`, Status.NOT_FOUND)];
  }
  if (!isDir)
    return [
      fail('state', `${dir} is not a directory`, 'pass a directory with --state or WRISTPAY_STATE', Status.MALFORMED),
    ];
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return [fail('state', `${dir} is not writable`, `chmod u+w ${dir}, or use another --state`, Status.FORBIDDEN)];
  }
  const pid = runningSimulatorPid(dir);
  const state =
    pid === null
      ? ok('state', `${dir} is writable and free`)
      : warn(
          'state',
          `${dir} is in use by a running simulator (pid ${pid}); flashing there is refused until it stops`,
          'stop that simulator (Ctrl-C) before flashing, or use another --state',
          Status.BUSY,
        );
  const flashed = loadFlashedImage(dir);
  if (!flashed.ok) return [state, fail('flashed', flashed.message, flash, flashed.status)];
  const m = flashed.value.meta;
  const what = m.format === 'script' ? 'bare code' : `image ${m.firmwareVersion}`;
  return [state, ok('flashed', `${what} (${m.signed ? 'signed' : 'UNSIGNED'}) flashed there verifies`)];
}

/** The band image the package ships, checked exactly as `sim flash` checks it. */
export function imageCheck(image: string, vendorKey: string): Check {
  const checked = checkImage({ image, vendorKey });
  if (!checked.ok) {
    const rebuild =
      checked.status === Status.NOT_FOUND
        ? 'build it: npm run build'
        : 'rebuild it (npm run build) or reinstall wristpay';
    return fail('image', checked.message, rebuild, checked.status);
  }
  const m = checked.value.meta;
  return ok(
    'image',
    `${image}: image ${m.firmwareVersion}, signed by ${m.keyId}${m.devKey ? ' (development key)' : ''}`,
  );
}
