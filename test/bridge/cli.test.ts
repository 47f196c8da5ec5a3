/**
 * `wristpay bridge …` in-process: usage errors (exit 2), the --json shapes, and the whole
 * merchant + owner walk-through of docs/BRIDGE.md against the real checkout and the real
 * firmware (in-process radio), with exit codes 0 / 1 / 2 / 3 where the docs promise them.
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSign1, sigStructure } from '../../shared/cose/sign1.ts';
import { decodeClaims } from '../../shared/cose/token.ts';
import { InProcessTransport } from '../../harness/transport/in-process.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { runCli } from './helpers/cli.ts';
import { type Band, PASSWORD, PAY_PASSWORD, bootTestBand, ownerAccount, pairingCode } from './helpers/world.ts';

let h: Harness;
let band: Band;
let dir: string;
let env: NodeJS.ProcessEnv;
let username: string;

function cli(argv: string[], stdin?: string) {
  return runCli(argv, {
    env,
    stdin,
    io: { provider: h.provider, transport: () => new InProcessTransport([{ radio: band.env.radio }]) },
  });
}
const ownerArgs = (): string[] => ['--user', username, '--password-stdin', '--checkout', h.server.url, '--json'];

beforeAll(async () => {
  h = await startHarness(cheapTestConfig);
  band = bootTestBand(11);
  dir = mkdtempSync(join(tmpdir(), 'wristpay-bridge-cli-'));
  env = { XDG_CONFIG_HOME: dir };
  username = (await ownerAccount(h)).username;
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('usage errors exit 2', () => {
  const cases: Array<[string, string[]]> = [
    ['no amount', ['bridge', 'charge']],
    ['not a number', ['bridge', 'charge', 'abc']],
    ['three decimals', ['bridge', 'charge', '1.234']],
    ['zero', ['bridge', 'charge', '0.00']],
    ['a bad currency', ['bridge', 'charge', '12.34', '--currency', 'yuan']],
    ['a bad order number', ['bridge', 'charge', '12.34', '--order', 'has space']],
    ['charge before pairing', ['bridge', 'charge', '12.34']],
    ['pair without a code', ['bridge', 'pair', '--checkout', 'http://127.0.0.1:9']],
    ['pair without a checkout', ['bridge', 'pair', '--code', 'ABCDEFGH']],
    ['enroll without --user', ['bridge', 'enroll']],
    ['card add with neither --issuer nor --city', ['bridge', 'card', 'add', '--user', 'x']],
    ['card add with both', ['bridge', 'card', 'add', '--user', 'x', '--issuer', 'icbc', '--city', 'shanghai']],
    ['an unknown subcommand', ['bridge', 'frobnicate']],
    ['an unknown option', ['bridge', 'status', '--frobnicate']],
    ['owner command without a checkout', ['bridge', 'card', 'list', '--user', 'x', '--password-stdin']],
  ];
  for (const [what, argv] of cases) {
    it(what, async () => {
      const r = await cli(argv, 'pw\n');
      expect(r.code, r.stderr + r.stdout).toBe(2);
    });
  }

  it('--json usage errors are one JSON object on stdout', async () => {
    const r = await cli(['bridge', 'charge', 'abc', '--json']);
    expect(r.code).toBe(2);
    expect(r.json()).toEqual({
      ok: false,
      error: {
        status: 1,
        name: 'MALFORMED',
        message: expect.stringContaining('not an amount'),
        hint: expect.stringContaining('12.34'),
      },
    });
  });

  it('an owner command with no password and no terminal to ask on: exit 2 and a clear message', async () => {
    const r = await cli(['bridge', 'card', 'list', '--user', 'x', '--checkout', h.server.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--password-stdin');
  });
});

describe('unreachable exits 3', () => {
  it('a checkout nobody serves', async () => {
    const r = await cli([
      'bridge',
      'pair',
      '--checkout',
      'http://127.0.0.1:9',
      '--code',
      'ABCDEFGH',
      '--json',
      '--config',
      join(dir, 'other.json'),
    ]);
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({
      ok: false,
      error: {
        name: 'UNREACHABLE',
        stage: 'checkout',
        kind: 'unreachable',
        message: expect.stringContaining('http://127.0.0.1:9'),
        hint: expect.any(String),
      },
    });
  });

  it('a simulator nobody serves (the real websocket transport)', async () => {
    const r = await runCli(['bridge', 'status', '--radio', 'ws://127.0.0.1:9', '--json'], { env });
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({
      ok: false,
      error: { name: 'UNREACHABLE', stage: 'radio', hint: expect.stringContaining('wristpay sim start') },
    });
  });
});

describe('the merchant and owner walk-through', () => {
  let order = '';

  it('pair: prints the terminal id, stores the identity 0600, never prints the key', async () => {
    const code = await pairingCode(h, 'Noodle Bar');
    const r = await cli(['bridge', 'pair', '--checkout', h.server.url, '--code', code, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({
      ok: true,
      merchantName: 'Noodle Bar',
      checkoutUrl: h.server.url,
      config: join(dir, 'wristpay', 'bridge.json'),
    });
    expect(out.terminalId).toMatch(/^t_/);
    expect(out).not.toHaveProperty('key');
    const file = join(dir, 'wristpay', 'bridge.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).terminal.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await cli(['bridge', 'pair', '--checkout', h.server.url, '--code', code]);
    expect(again.code).toBe(2);
  });

  it('enroll, card add, card list, unlock (password from stdin)', async () => {
    const enrolled = await cli(['bridge', 'enroll', ...ownerArgs(), '--name', 'wrist'], `${PASSWORD}\n`);
    expect(enrolled.code, enrolled.stderr + enrolled.stdout).toBe(0);
    expect(enrolled.json()).toMatchObject({
      ok: true,
      band: { name: 'wrist', status: 'active' },
      identityKeySaved: true,
    });
    expect(enrolled.stdout).not.toContain('identityKey"'); // the IRK is never printed
    // The band's IRK (docs/PROTOCOL.md §7) is kept in the 0600 config; owner commands resolve with it.
    const file = join(dir, 'wristpay', 'bridge.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8')).bands;
    expect(saved).toEqual([
      {
        deviceId: (enrolled.json().band as { deviceId: string }).deviceId,
        irk: expect.stringMatching(/^[0-9a-f]{32}$/),
        enrolledAt: expect.any(Number),
      },
    ]);
    expect(Buffer.from(saved[0].irk, 'hex')).toEqual(Buffer.from(band.env.radio.identityKey!));
    const added = await cli(['bridge', 'card', 'add', '--issuer', 'cmb', ...ownerArgs()], `${PASSWORD}\n`);
    expect(added.code, added.stdout).toBe(0);
    expect(added.json()).toMatchObject({ ok: true, card: { issuer: 'China Merchants Bank', state: 'active' } });
    const listed = await cli(['bridge', 'card', 'list', ...ownerArgs()], `${PASSWORD}\n`);
    expect((listed.json().bands as Array<{ cards: unknown[] }>)[0].cards).toHaveLength(1);
    band.putOn();
    const unlocked = await cli(['bridge', 'unlock', ...ownerArgs()], `${PASSWORD}\n`);
    expect(unlocked.code, unlocked.stdout).toBe(0);
    expect(unlocked.json()).toMatchObject({ ok: true, unlocked: true });
    const wrong = await cli(['bridge', 'unlock', ...ownerArgs()], 'wrong password\n');
    expect(wrong.code).toBe(1);
    expect(wrong.json()).toMatchObject({
      ok: false,
      error: { name: 'UNAUTHORIZED', hint: 'check --user and the password' },
    });
  });

  it("an owner command whose config holds only another band's IRK does not touch the band nearby", async () => {
    const file = join(dir, 'wristpay', 'bridge.json');
    const other = join(dir, 'someone-else.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(other, JSON.stringify({ ...config, bands: [{ ...config.bands[0], irk: '0f'.repeat(16) }] }), {
      mode: 0o600,
    });
    const r = await cli(['bridge', 'unlock', ...ownerArgs(), '--config', other], `${PASSWORD}\n`);
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({
      ok: false,
      error: {
        name: 'UNREACHABLE',
        stage: 'radio',
        message: expect.stringContaining('none of the bands nearby is yours'),
      },
    });
  });

  it('charge: the receipt as JSON', async () => {
    const r = await cli(['bridge', 'charge', '12.34', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const out = r.json() as { ok: boolean; outcome: string; receipt: Record<string, unknown> };
    expect(out).toMatchObject({
      ok: true,
      outcome: 'paid',
      receipt: {
        amount: 1234,
        currency: 'CNY',
        status: 'TRADE_SUCCESS',
        method: 'band',
        merchantName: 'Noodle Bar',
        card: { kind: 'bank', issuer: 'China Merchants Bank', last4: expect.stringMatching(/^\d{4}$/), city: null },
      },
    });
    order = out.receipt.outTradeNo as string;
    // The receipt carries the band's token and key (docs/BRIDGE.md): anyone can check, with
    // node:crypto alone, that the band signed this order and amount.
    const evidence = out.receipt.evidence as { token: string; deviceKey: Record<string, string>; counter: number };
    const sign1 = decodeSign1(Buffer.from(evidence.token, 'base64url'), true);
    if (!sign1.ok) throw new Error('the token is no COSE_Sign1');
    const tbs = sigStructure(sign1.value.protectedBytes, new Uint8Array(0), sign1.value.payload);
    const key = createPublicKey({ key: evidence.deviceKey, format: 'jwk' });
    expect(verify('sha256', tbs, { key, dsaEncoding: 'ieee-p1363' }, sign1.value.signature)).toBe(true);
    const claims = decodeClaims(sign1.value.payload);
    expect(
      claims.ok && { orderId: claims.value.orderId, amount: claims.value.amount, counter: claims.value.counter },
    ).toEqual({ orderId: order, amount: 1234, counter: evidence.counter });
  });

  it('charge, human output: the bands found with RSSI on stderr, the receipt on stdout', async () => {
    const r = await cli(['bridge', 'charge', '3', '--order', 'tea-42']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 band nearby:\n\s+band-1\s+-40 dBm/);
    expect(r.stdout).toContain('Paid 3.00 CNY to Noodle Bar');
    expect(r.stdout).toContain('tea-42');
    // The card the band showed at the tap, as the receipt names it.
    expect(r.stdout).toMatch(/\n {2}card {4}China Merchants Bank ••••\d{4} \(bank\)\n/);
    expect(r.stdout).toMatch(
      /proof {3}token signed by the band, counter \d+ \(--json: receipt\.evidence, with the band's key\)/,
    );
  });

  it('refund: part, then the rest', async () => {
    const part = await cli(['bridge', 'refund', order, '2.34', '--json']);
    expect(part.code, part.stdout).toBe(0);
    expect(part.json()).toMatchObject({ ok: true, refund: { amount: 234, refundedAmount: 234, currency: 'CNY' } });
    const rest = await cli(['bridge', 'refund', order]);
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain('Refunded 10.00 CNY');
    const more = await cli(['bridge', 'refund', order, '--json']);
    expect(more.code).toBe(1);
    expect(more.json()).toMatchObject({ ok: false, error: { name: 'REFUND_EXCEEDS_PAID' } });
  });

  it('a locked band and no terminal to ask the password on: exit 1, password-needed', async () => {
    band.takeOff();
    band.putOn();
    const r = await cli(['bridge', 'charge', '8', '--json']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, outcome: 'password-needed', reason: { name: 'LOCKED' } });
    const human = await cli(['bridge', 'charge', '8', '--payer', username]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('stdin is not a terminal');
    const refused = await cli(['bridge', 'charge', '8', '--no-password-fallback']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('PASSWORD_REQUIRED (0x47)');
  });

  it('the password fallback pays with --payer and --password-stdin', async () => {
    const r = await cli(
      ['bridge', 'charge', '8', '--payer', username, '--password-stdin', '--json'],
      `${PAY_PASSWORD}\n`,
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.json()).toMatchObject({
      ok: true,
      outcome: 'paid',
      fallback: 'LOCKED',
      receipt: { method: 'password', amount: 800 },
    });
    const wrong = await cli(['bridge', 'charge', '8', '--payer', username, '--password-stdin', '--json'], '000000\n');
    expect(wrong.code).toBe(1);
  });

  it('--radio none goes straight to the fallback', async () => {
    const r = await cli(['bridge', 'charge', '1', '--radio', 'none', '--no-password-fallback', '--json']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ outcome: 'password-needed', reason: { name: 'PASSWORD_REQUIRED' } });
  });

  it("status: the nearest band and, with --user, the account's bands", async () => {
    const r = await cli(['bridge', 'status', ...ownerArgs()], `${PASSWORD}\n`);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json()).toMatchObject({
      ok: true,
      band: { enrolled: true, mtu: 185, wearState: 'worn-locked' },
      nearby: [{ id: 'band-1' }],
      bands: [{ status: 'active' }],
    });
  });

  it("a stranger's failed logins do not stop this bridge: it keeps the owner's device token in its 0600 config", async () => {
    const file = join(dir, 'wristpay', 'bridge.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const before = JSON.parse(readFileSync(file, 'utf8')).deviceTokens as Record<string, string>;
    expect(Object.keys(before)).toEqual([`${username} ${h.server.url}`]);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.client.login(username, `stranger ${i}`).catch(() => undefined)),
    );
    await expect(h.client.login(username, PASSWORD)).rejects.toThrow(/ACCOUNT_LOCKED/); // any new client waits
    const listed = await cli(['bridge', 'card', 'list', ...ownerArgs()], `${PASSWORD}\n`);
    expect(listed.code, listed.stdout).toBe(0);
    const unlocked = await cli(['bridge', 'unlock', ...ownerArgs()], `${PASSWORD}\n`);
    expect(unlocked.code, unlocked.stdout).toBe(0);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.terminal.terminalId).toMatch(/^t_/); // the rest of the config is kept
    expect(listed.stdout + unlocked.stdout).not.toContain(after.deviceTokens[`${username} ${h.server.url}`]);
  });

  it('revoke, then a charge is declined REVOKED and the band is wiped', async () => {
    const revoked = await cli(['bridge', 'revoke', ...ownerArgs()], `${PASSWORD}\n`);
    expect(revoked.code, revoked.stdout).toBe(0);
    expect(revoked.json()).toMatchObject({ ok: true, band: { status: 'revoked' } });
    const r = await cli(['bridge', 'charge', '5', '--json']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({
      ok: false,
      outcome: 'declined',
      error: { name: 'REVOKED', wipe: { delivered: true } },
    });
    expect(band.booted.status().enrolled).toBe(false);
  });
});
