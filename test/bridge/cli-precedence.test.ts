/**
 * Where a setting comes from (issue 14, item 12), as git, npm and stripe's CLI do it: the
 * flag, else the environment, else the config file, else the default — one test per level,
 * running `wristpay` as a process. Each level points at a different place that is not
 * there, and the error names the one that was used.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wristpay } from './helpers/process.ts';

let dir: string;
const ports: number[] = [];

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wristpay-precedence-'));
  for (let i = 0; i < 3; i++) ports.push(await closedPort());
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('--checkout: flag > WRISTPAY_CHECKOUT > config file > none', () => {
  const [FLAG, ENV, CONFIG] = [0, 1, 2].map((i) => () => `http://127.0.0.1:${ports[i]}`);
  const cards = (args: string[], env: NodeJS.ProcessEnv) =>
    wristpay(['bridge', 'card', 'list', '--user', 'bob', '--password-stdin', '--json', ...args], {
      stdin: 'pw\n',
      env: { XDG_CONFIG_HOME: join(dir, 'config'), WRISTPAY_CHECKOUT: '', ...env },
    });
  const used = (r: { stdout: string }): string =>
    String((JSON.parse(r.stdout) as { error: { message: string } }).error.message);
  beforeAll(() => {
    mkdirSync(join(dir, 'config', 'wristpay'), { recursive: true });
  });
  const withConfig = () =>
    writeFileSync(
      join(dir, 'config', 'wristpay', 'bridge.json'),
      JSON.stringify({ version: 1, checkoutUrl: CONFIG() }),
    );

  it('the flag beats the environment and the config', async () => {
    withConfig();
    const r = await cards(['--checkout', FLAG()], { WRISTPAY_CHECKOUT: ENV() });
    expect(r.code).toBe(3);
    expect(used(r)).toContain(FLAG());
  });

  it('the environment beats the config file', async () => {
    withConfig();
    const r = await cards([], { WRISTPAY_CHECKOUT: ENV() });
    expect(r.code).toBe(3);
    expect(used(r)).toContain(ENV());
  });

  it('the config file, when neither flag nor environment says', async () => {
    withConfig();
    const r = await cards([], {});
    expect(r.code).toBe(3);
    expect(used(r)).toContain(CONFIG());
  });

  it('nothing anywhere: a usage error that names all three ways', async () => {
    rmSync(join(dir, 'config', 'wristpay', 'bridge.json'), { force: true });
    const r = await cards([], {});
    expect(r.code).toBe(2);
    expect(r.json()).toMatchObject({
      ok: false,
      error: { name: 'MALFORMED', message: 'which checkout?', hint: expect.stringContaining('WRISTPAY_CHECKOUT') },
    });
  });
});

describe('--state: flag > WRISTPAY_STATE > $XDG_DATA_HOME/wristpay/band (the simulator has no config file)', () => {
  const status = (args: string[], env: NodeJS.ProcessEnv) =>
    wristpay(['sim', 'status', '--json', ...args], {
      env: { XDG_DATA_HOME: join(dir, 'xdg'), WRISTPAY_STATE: '', ...env },
    });
  const named = (r: { stdout: string }): string =>
    String((JSON.parse(r.stdout) as { error: { message: string } }).error.message);

  it('the flag beats the environment', async () => {
    const r = await status(['--state', join(dir, 'flag-state')], { WRISTPAY_STATE: join(dir, 'env-state') });
    expect(r.code).toBe(3);
    expect(named(r)).toContain(`no simulator is running on ${join(dir, 'flag-state')}`);
  });

  it('the environment beats the default', async () => {
    const r = await status([], { WRISTPAY_STATE: join(dir, 'env-state') });
    expect(r.code).toBe(3);
    expect(named(r)).toContain(`no simulator is running on ${join(dir, 'env-state')}`);
  });

  it('the default: $XDG_DATA_HOME/wristpay/band', async () => {
    const r = await status([], {});
    expect(r.code).toBe(3);
    expect(named(r)).toContain(`no simulator is running on ${join(dir, 'xdg', 'wristpay', 'band')}`);
  });
});
