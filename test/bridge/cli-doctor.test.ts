/**
 * `wristpay doctor` run as a process (issue 14, item 16) against a real checkout, a bridge
 * paired with it by `wristpay bridge pair`, and a state directory flashed by `wristpay sim
 * flash`: all ok (exit 0), then each failing check named with its fix and exit 1: the
 * checkout down, the state directory missing, the band image tampered, the terminal unpaired.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../cli/doctor/check.ts';
import { nodeCheck } from '../../cli/doctor/machine-checks.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { needs, requirements } from '../support/requirements.ts';
import { wristpay } from './helpers/process.ts';
import { PASSWORD, unique } from './helpers/world.ts';

let h: Harness;
let dir: string;
let config: string;
let state: string;
let merchant: string;
const env = (): NodeJS.ProcessEnv => ({ WRISTPAY_CHECKOUT: '', WRISTPAY_STATE: '', XDG_CONFIG_HOME: dir });

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function doctor(...args: string[]) {
  const r = await wristpay(['doctor', '--json', '--config', config, '--state', state, ...args], { env: env() });
  const out = r.json() as { ok: boolean; checks: Check[]; error?: { name: string; message: string; hint: string } };
  return { ...r, out, check: (name: string) => out.checks.find((c) => c.name === name) as Check };
}

describe('the node check', () => {
  it("judges process.version against package.json's engines (>=20)", () => {
    expect(nodeCheck('v20.0.0')).toMatchObject({ result: 'ok' });
    expect(nodeCheck('v22.3.1')).toMatchObject({ result: 'ok' });
    expect(nodeCheck('v18.19.1')).toMatchObject({
      result: 'fail',
      reason: 'UNSUPPORTED_VERSION',
      fix: 'install Node >=20',
    });
  });
});

needs(requirements.bandImage).describe('wristpay doctor (as a process)', () => {
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    dir = mkdtempSync(join(tmpdir(), 'wristpay-doctor-'));
    config = join(dir, 'bridge.json');
    state = join(dir, 'band');
    merchant = unique('doctorshop');
    await h.client.register({ username: merchant, password: PASSWORD, kind: 'merchant', displayName: 'Doctor Tea' });
    const code = (await (await h.client.loginAs(merchant, PASSWORD)).createPairingCode()).code;
    const paired = await wristpay(['bridge', 'pair', '--code', code, '--checkout', h.server.url, '--config', config]);
    expect(paired.code, paired.stderr).toBe(0);
    const flashed = await wristpay(['sim', 'flash', 'dist/band.img', '--state', state]);
    expect(flashed.code, flashed.stderr).toBe(0);
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('all ok against a running checkout, a paired bridge and a flashed state dir: exit 0', async () => {
    const r = await doctor();
    expect(r.code, r.stdout).toBe(0);
    expect(r.out.ok).toBe(true);
    expect(r.out.checks.map((c) => c.name)).toEqual([
      'node',
      'chromium',
      'duk',
      'state',
      'flashed',
      'image',
      'checkout',
      'terminal',
    ]);
    // chromium and duk only warn when missing (they skip tests); everything else is ok here.
    for (const c of r.out.checks.filter((c) => !['chromium', 'duk'].includes(c.name)))
      expect(c.result, `${c.name}: ${c.message}`).toBe('ok');
    expect(r.check('terminal').message).toContain('Doctor Tea');
    expect(r.stderr).toBe('');

    const human = await wristpay(['doctor', '--config', config, '--state', state], { env: env() });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ok {4}node {6}Node v\d+/m);
    expect(human.stdout).toMatch(/^ok {4}checkout {2}.* answers and is ready$/m);
    expect(human.stdout).not.toMatch(/^FAIL/m);
  });

  it('checkout down: the checkout check fails and says to start it; exit 1', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await doctor('--checkout', url);
    expect(r.code).toBe(1);
    expect(r.out.ok).toBe(false);
    expect(r.check('checkout')).toMatchObject({ result: 'fail', reason: 'UNREACHABLE' });
    expect(r.check('checkout').message).toContain(`${url}/healthz`);
    expect(r.check('checkout').fix).toContain('wristpay checkout start');
    expect(r.out.error).toMatchObject({ name: 'UNREACHABLE', message: '1 check failed: checkout' });

    const human = await wristpay(['doctor', '--config', config, '--state', state, '--checkout', url], { env: env() });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(
      /^FAIL {2}checkout {2}cannot reach .*\n +fix: is the checkout running \(wristpay checkout start\)\?/m,
    );
    expect(human.stdout).toMatch(/^1 problem, \d warnings?$/m);
  });

  it('state dir missing: the state check fails and says how to make it; exit 1', async () => {
    const missing = join(dir, 'no-such-band');
    const r = await doctor('--state', missing);
    expect(r.code).toBe(1);
    expect(r.check('state')).toMatchObject({ result: 'fail', reason: 'NOT_FOUND' });
    expect(r.check('state').message).toBe(`no state directory ${missing}`);
    expect(r.check('state').fix).toMatch(new RegExp(`wristpay sim flash \\S+band\\.img --state ${missing}$`));
    expect(r.out.error?.hint).toBe(r.check('state').fix);
  });

  it('a simulator running on the state dir: a warning naming it (flashing there is refused), exit 0', async () => {
    // The lock holds a live pid (this test's own): what a running `sim start` leaves there.
    writeFileSync(join(state, 'sim.lock'), `${process.pid}\n`);
    try {
      const r = await doctor();
      expect(r.code).toBe(0);
      expect(r.check('state')).toMatchObject({ result: 'warn', reason: 'BUSY' });
      expect(r.check('state').message).toContain(`running simulator (pid ${process.pid})`);
    } finally {
      rmSync(join(state, 'sim.lock'));
    }
  });

  it('image tampered: the image check fails as sim flash would refuse it; exit 1', async () => {
    const tampered = join(dir, 'tampered.img');
    copyFileSync('dist/band.img', tampered);
    const bytes = readFileSync(tampered);
    bytes[bytes.length - 10] ^= 0x01; // in the code, after the header
    writeFileSync(tampered, bytes);
    const r = await doctor('--image', tampered, '--vendor-key', 'dist/vendor-pub.json');
    expect(r.code).toBe(1);
    expect(r.check('image').result).toBe('fail');
    expect(r.check('image').message).toContain(`refused ${tampered}`);
    expect(r.check('image').fix).toContain('npm run build');
    // The state directory's flashed copy is untouched and still verifies.
    expect(r.check('flashed').result).toBe('ok');
  });

  // Last: unpairing cannot be undone.
  it('terminal unpaired by its merchant: the terminal check fails and says to pair again; exit 1', async () => {
    const session = await h.client.loginAs(merchant, PASSWORD);
    const [till] = await session.terminals();
    await session.unpairTerminal(till.terminalId);
    const r = await doctor();
    expect(r.code).toBe(1);
    expect(r.check('checkout').result).toBe('ok');
    expect(r.check('terminal')).toMatchObject({ result: 'fail', reason: 'TERMINAL_UNPAIRED' });
    expect(r.check('terminal').fix).toContain('wristpay bridge pair --force');
  });
});
