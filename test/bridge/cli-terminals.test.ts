/**
 * `wristpay bridge terminals list|rename|unpair` run as a real process (bin/wristpay.js)
 * against a real checkout: --json shapes, exit codes 0 / 1 / 2 / 3, unpair refusing to run
 * unconfirmed without a terminal; the "yes" prompt with a terminal on stdin (in-process,
 * stdin marked as a TTY); and `enroll` printing the turn-off code once with its sentence.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/bridge-io.ts';
import { InProcessTransport } from '../../harness/transport/in-process.ts';
import { TerminalSigner, createTerminalKey } from '../../checkout/api/client.ts';
import { refusal } from '../checkout/helpers/expect-refusal.ts';
import { startHarness, type Harness } from '../../harness/checkout-harness.ts';
import { runCli } from './helpers/cli.ts';
import { PASSWORD, bootTestBand, ownerAccount, unique } from './helpers/world.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'wristpay.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json(): Record<string, unknown>;
}

/** The installed command, as a person or a script runs it. */
function wristpay(args: string[], stdin: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdin.end(stdin);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, json: () => JSON.parse(stdout.trim()) as Record<string, unknown> }),
    );
  });
}

let h: Harness;
let dir: string;
let merchant: string;
let till: { terminalId: string; signer: TerminalSigner };

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(join(tmpdir(), 'wristpay-terminals-cli-'));
  merchant = unique('teahouse');
  await h.client.register({ username: merchant, password: PASSWORD, kind: 'merchant', displayName: 'Tea House' });
  const session = await h.client.loginAs(merchant, PASSWORD);
  const key = createTerminalKey(h.provider);
  const t = await h.client.pairTerminal((await session.createPairingCode()).code, key.publicKey, 'front till');
  till = { terminalId: t.terminalId, signer: new TerminalSigner(h.provider, t.terminalId, key.scalar, h.clock.now) };
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('wristpay bridge terminals (as a process)', () => {
  const env = (): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: dir, WRISTPAY_CHECKOUT: '' });
  const args = (...rest: string[]): string[] => [
    'bridge',
    'terminals',
    ...rest,
    '--user',
    merchant,
    '--password-stdin',
    '--checkout',
    h.server.url,
  ];

  it('list, rename, unpair with --yes; the till is refused from then on', async () => {
    const list = await wristpay([...args('list'), '--json'], `${PASSWORD}\n`, env());
    expect(list.code, list.stderr).toBe(0);
    expect(list.json()).toMatchObject({
      ok: true,
      terminals: [{ terminalId: till.terminalId, name: 'front till', state: 'active', unpairedAt: null }],
    });

    const renamed = await wristpay(args('rename', till.terminalId, 'Till by the door'), `${PASSWORD}\n`, env());
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toContain('Till by the door');

    const unconfirmed = await wristpay([...args('unpair', till.terminalId), '--json'], `${PASSWORD}\n`, env());
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.json()).toMatchObject({
      ok: false,
      error: { status: 1, name: 'MALFORMED', message: expect.stringContaining('--yes') },
    });
    await refusal(h.client.withTerminal(till.signer).queryTrade('none'), 'NOT_FOUND'); // still paired

    const unpaired = await wristpay([...args('unpair', till.terminalId), '--yes', '--json'], `${PASSWORD}\n`, env());
    expect(unpaired.code, unpaired.stderr).toBe(0);
    expect(unpaired.json()).toMatchObject({
      ok: true,
      terminal: { terminalId: till.terminalId, name: 'Till by the door', state: 'unpaired' },
    });
    await refusal(
      h.client
        .withTerminal(till.signer)
        .createTrade({ outTradeNo: 'x1', amount: 1_00, currency: 'CNY', subject: 'tea' }),
      'TERMINAL_UNPAIRED',
      401,
    );

    const human = await wristpay(args('list'), `${PASSWORD}\n`, env());
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`${till.terminalId}\\s+Till by the door .* unpaired \\d{4}-`));
  });

  it('declined (1), usage (2) and unreachable (3)', async () => {
    const unknown = await wristpay([...args('unpair', 'tNOSUCH1'), '--yes', '--json'], `${PASSWORD}\n`, env());
    expect(unknown.code).toBe(1);
    expect(unknown.json()).toMatchObject({ ok: false, error: { name: 'NOT_FOUND', stage: 'checkout' } });
    // The same shell in-process (quicker): wrong password, bad name, missing argument.
    const wrong = await runCli([...args('list'), '--json'], { env: {}, stdin: 'not the password\n' });
    expect(wrong.code).toBe(1);
    expect(wrong.json()).toMatchObject({ ok: false, error: { name: 'UNAUTHORIZED' } });
    const badName = await runCli([...args('rename', till.terminalId, ' '), '--json'], {
      env: {},
      stdin: `${PASSWORD}\n`,
    });
    expect(badName.code).toBe(1);
    expect(badName.json()).toMatchObject({ ok: false, error: { name: 'MALFORMED' } });
    const missing = await runCli(['bridge', 'terminals', 'rename', till.terminalId, '--user', merchant], { env: {} });
    expect(missing.code).toBe(2);
    const away = await wristpay(
      [
        'bridge',
        'terminals',
        'list',
        '--user',
        merchant,
        '--password-stdin',
        '--checkout',
        'http://127.0.0.1:9',
        '--json',
      ],
      `${PASSWORD}\n`,
      env(),
    );
    expect(away.code).toBe(3);
    expect(away.json()).toMatchObject({ ok: false, error: { name: 'UNREACHABLE' } });
  });
});

describe('with a terminal on stdin', () => {
  /** stdin that says it is a TTY and delivers one line per read, as a person types. */
  function typed(...lines: string[]): CliIo['stdin'] {
    const s = Readable.from(lines.map((l) => `${l}\n`)) as unknown as CliIo['stdin'];
    s.isTTY = true;
    return s;
  }

  it('unpair asks first: anything but "yes" leaves the till paired (exit 1); "yes" unpairs', async () => {
    const session = await h.client.loginAs(merchant, PASSWORD);
    const key = createTerminalKey(h.provider);
    const t = await h.client.pairTerminal((await session.createPairingCode()).code, key.publicKey, 'back till');
    const argv = ['bridge', 'terminals', 'unpair', t.terminalId, '--user', merchant, '--checkout', h.server.url];
    const no = await runCli(argv, { env: {}, io: { stdin: typed(PASSWORD, 'no') } });
    expect(no.code, no.stderr).toBe(1);
    expect(no.stderr).toContain(`Unpair terminal ${t.terminalId} ("back till")? It can never take payments again`);
    expect((await session.terminals()).find((x) => x.terminalId === t.terminalId)?.state).toBe('active');
    const yes = await runCli(argv, { env: {}, io: { stdin: typed(PASSWORD, 'yes') } });
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain(`Unpaired: every request from terminal ${t.terminalId}`);
    expect((await session.terminals()).find((x) => x.terminalId === t.terminalId)?.state).toBe('unpaired');
  });
});

describe('enroll prints the turn-off code once', () => {
  it('with the sentence to keep it safe, and --json carries it; the code turns the band off', async () => {
    const band = bootTestBand(23);
    const { username } = await ownerAccount(h);
    const io = { provider: h.provider, transport: () => new InProcessTransport([{ radio: band.env.radio }]) };
    const r = await runCli(['bridge', 'enroll', '--user', username, '--password-stdin', '--checkout', h.server.url], {
      env: {},
      stdin: `${PASSWORD}\n`,
      io,
    });
    expect(r.code, r.stderr).toBe(0);
    const code = /Your turn-off code: ([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})\n/.exec(r.stdout)?.[1];
    expect(code).toBeDefined();
    expect(r.stdout).toContain('Keep it somewhere safe');
    expect(r.stdout).toContain('/lost');
    const bands = await h.client.turnOffWithCode(username, code as string);
    expect(bands[0].status).toBe('revoked');
  });

  it('--json: the code next to the band, not inside it', async () => {
    const band = bootTestBand(29);
    const { username } = await ownerAccount(h);
    const io = { provider: h.provider, transport: () => new InProcessTransport([{ radio: band.env.radio }]) };
    const r = await runCli(
      ['bridge', 'enroll', '--user', username, '--password-stdin', '--checkout', h.server.url, '--json'],
      { env: {}, stdin: `${PASSWORD}\n`, io },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { ok: boolean; band: Record<string, unknown>; turnOffCode: string };
    expect(out.turnOffCode).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(out.band).not.toHaveProperty('turnOffCode');
    expect(out.band).toMatchObject({ status: 'active' });
  });
});
