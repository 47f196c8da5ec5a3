/**
 * `wristpay bridge pair --user MERCHANT` run as a process (issue 14, item 2): the merchant
 * signs in with its password (from stdin here, as a script would; typed without echo at a
 * terminal) and the bridge pairs in one go, with no trip to /merchant for a code. The
 * session ends when pairing does; a wrong password or an owner account pairs nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, cheapTestConfig, startHarness } from '../../harness/checkout-harness.ts';
import { wristpay } from './helpers/process.ts';
import { PASSWORD, ownerAccount, unique } from './helpers/world.ts';

let h: Harness;
let dir: string;
let merchant: string;

beforeAll(async () => {
  h = await startHarness(cheapTestConfig);
  dir = mkdtempSync(join(tmpdir(), 'wristpay-pair-user-'));
  merchant = unique('teahouse');
  await h.client.register({ username: merchant, password: PASSWORD, kind: 'merchant', displayName: 'Tea House' });
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Each case its own config file (XDG_CONFIG_HOME), so "already paired" never leaks between them. */
function configHome(name: string): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: join(dir, name), WRISTPAY_CHECKOUT: '' };
}

describe('bridge pair --user', () => {
  it('signs in as the merchant, pairs, stores the identity 0600 and prints no key', async () => {
    const env = configHome('ok');
    const r = await wristpay(
      ['bridge', 'pair', '--checkout', h.server.url, '--user', merchant, '--password-stdin', '--json'],
      { stdin: `${PASSWORD}\n`, env },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({ ok: true, merchantName: 'Tea House', checkoutUrl: h.server.url });
    expect(out).not.toHaveProperty('key');
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    const file = join(dir, 'ok', 'wristpay', 'bridge.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).terminal.terminalId).toBe(out.terminalId);
    // The checkout lists it among the merchant's terminals.
    const session = await h.client.loginAs(merchant, PASSWORD);
    expect((await session.terminals()).map((t) => t.terminalId)).toContain(out.terminalId);
  });

  it('takes the checkout from WRISTPAY_CHECKOUT, as the other signed-in commands do', async () => {
    const env = { ...configHome('env'), WRISTPAY_CHECKOUT: h.server.url };
    const r = await wristpay(['bridge', 'pair', '--user', merchant, '--password-stdin'], {
      stdin: `${PASSWORD}\n`,
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Paired: terminal t_\S+ of Tea House at http:\/\/127\.0\.0\.1:\d+\n/);
  });

  it('a wrong password: exit 1, UNAUTHORIZED, nothing stored', async () => {
    const env = configHome('wrong');
    const r = await wristpay(
      ['bridge', 'pair', '--checkout', h.server.url, '--user', merchant, '--password-stdin', '--json'],
      { stdin: 'not the password\n', env },
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, error: { name: 'UNAUTHORIZED' } });
    expect(existsSync(join(dir, 'wrong', 'wristpay', 'bridge.json'))).toBe(false);
  });

  it("an owner's account cannot pair a till: exit 1, no terminal stored", async () => {
    const { username } = await ownerAccount(h);
    const env = configHome('owner');
    const r = await wristpay(
      ['bridge', 'pair', '--checkout', h.server.url, '--user', username, '--password-stdin', '--json'],
      { stdin: `${PASSWORD}\n`, env },
    );
    expect(r.code, r.stdout).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, error: { name: 'FORBIDDEN' } });
    // The sign-in itself worked: the config keeps the device token every sign-in keeps (command-kit.ts).
    const config = JSON.parse(readFileSync(join(dir, 'owner', 'wristpay', 'bridge.json'), 'utf8'));
    expect(config.terminal).toBeUndefined();
  });

  it('usage (exit 2): both --user and --code, neither, and no password with no terminal to ask on', async () => {
    const env = configHome('usage');
    const both = await wristpay(
      ['bridge', 'pair', '--checkout', h.server.url, '--user', merchant, '--code', 'ABCDEFGH', '--json'],
      { env },
    );
    expect(both.code).toBe(2);
    expect(both.json()).toMatchObject({ ok: false, error: { message: expect.stringContaining('not both') } });
    const neither = await wristpay(['bridge', 'pair', '--checkout', h.server.url], { env });
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--user MERCHANT');
    const noPassword = await wristpay(['bridge', 'pair', '--checkout', h.server.url, '--user', merchant], { env });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('--password-stdin');
  });
});
