/**
 * Errors that help (issue 14, item 11), from `wristpay` run as a process against a real
 * checkout: a throttled sign-in says how long to wait (the checkout's Retry-After), a till
 * the checkout does not know is told to check its pairing, an unpaired one to pair again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, saveConfig } from '../../bridge/config/bridge-config.ts';
import { cheapTestConfig, type Harness, mergeConfig, startHarness } from '../../harness/checkout-harness.ts';
import { wristpay } from './helpers/process.ts';
import { PASSWORD, ownerAccount, unique } from './helpers/world.ts';

let h: Harness;
let throttled: Harness;
let dir: string;
const env = (home: string): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: home, WRISTPAY_CHECKOUT: '', WRISTPAY_RADIO: '' });
const errorOf = (r: { stdout: string }) => (JSON.parse(r.stdout) as { error: { name: string; hint?: string } }).error;

/** A till paired with `h` by `wristpay bridge pair`, its config in `home`; returns the merchant's client and the terminal id. */
async function pairedTill(home: string) {
  const merchant = unique('shop');
  await h.client.register({
    username: merchant,
    password: PASSWORD,
    kind: 'merchant',
    displayName: unique('Tea Room '),
  });
  const m = await h.client.loginAs(merchant, PASSWORD);
  const paired = await wristpay(
    ['bridge', 'pair', '--checkout', h.server.url, '--code', (await m.createPairingCode()).code, '--json'],
    { env: env(home) },
  );
  if (paired.code !== 0) throw new Error(paired.stdout + paired.stderr);
  return { merchant: m, terminalId: String(paired.json().terminalId), config: join(home, 'wristpay', 'bridge.json') };
}

beforeAll(async () => {
  h = await startHarness(cheapTestConfig);
  // One sign-in per client per minute: the second is RATE_LIMITED with a Retry-After.
  throttled = await startHarness(
    mergeConfig(cheapTestConfig, { rateLimits: { loginPerClient: { points: 1, windowMs: 60_000 } } }),
  );
  dir = mkdtempSync(join(tmpdir(), 'wristpay-hints-'));
});
afterAll(async () => {
  await h?.close();
  await throttled?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('hints (as a process)', () => {
  it('RATE_LIMITED: "wait N s", N from Retry-After', async () => {
    const { username } = await ownerAccount(throttled);
    const list = () =>
      wristpay(
        [
          'bridge',
          'card',
          'list',
          '--user',
          username,
          '--password-stdin',
          '--checkout',
          throttled.server.url,
          '--json',
        ],
        { stdin: `${PASSWORD}\n`, env: env(join(dir, 'owner')) },
      );
    await list();
    const r = await list();
    expect(r.code).toBe(1);
    expect(errorOf(r)).toMatchObject({
      name: 'RATE_LIMITED',
      hint: expect.stringMatching(/^wait \d+ s and try again$/),
    });
  });

  it('UNAUTHORIZED at a till: check the terminal is paired', async () => {
    const till = await pairedTill(join(dir, 'stranger'));
    // A terminal id the checkout never issued, signed with a real key.
    const config = loadConfig(till.config).config;
    saveConfig(till.config, { ...config, terminal: { ...config.terminal!, terminalId: 't_stranger' } });
    const r = await wristpay(['bridge', 'charge', '1', '--radio', 'none', '--json'], {
      env: env(join(dir, 'stranger')),
    });
    expect(r.code, r.stdout).toBe(1);
    expect(errorOf(r)).toMatchObject({
      name: 'UNAUTHORIZED',
      hint: expect.stringContaining('check the terminal is paired'),
    });
  });

  it('TERMINAL_UNPAIRED: pair again', async () => {
    const till = await pairedTill(join(dir, 'unpaired'));
    await till.merchant.unpairTerminal(till.terminalId);
    const r = await wristpay(['bridge', 'charge', '1', '--radio', 'none', '--json'], {
      env: env(join(dir, 'unpaired')),
    });
    expect(r.code).toBe(1);
    expect(errorOf(r)).toMatchObject({ name: 'TERMINAL_UNPAIRED', hint: expect.stringContaining('pair again') });
  });
});
