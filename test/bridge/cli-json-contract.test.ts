/**
 * `--json` is one contract (issue 14, item 4), held by running `wristpay` as a process:
 * every error, whichever group and whoever found it (commander, a command, the checkout,
 * the simulator), is one object on stdout —
 * `{"ok":false,"error":{"status","name","message","hint"?}}` — with the exit code of the
 * one table (cli/exit-codes.ts): 1 declined, 2 usage, 3 unreachable or I/O.
 * And errors that help (item 11): a checkout that is not there is named, with the cause.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wristpay } from './helpers/process.ts';

let dir: string;
const env = (): NodeJS.ProcessEnv => ({
  XDG_CONFIG_HOME: join(dir, 'config'),
  XDG_DATA_HOME: join(dir, 'data'),
  WRISTPAY_CHECKOUT: '',
  WRISTPAY_STATE: '',
  WRISTPAY_RADIO: '',
  WRISTPAY_DB: '',
});
const run = (args: string[], stdin?: string) => wristpay(args, { env: env(), stdin });

/** A loopback port with nothing listening on it (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** The one error shape, and nothing else on stdout. */
function expectError(
  r: { code: number | null; stdout: string; stderr: string },
  code: number,
  name: string,
  message: RegExp,
  hint?: RegExp,
): void {
  expect(r.code, r.stdout + r.stderr).toBe(code);
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  const v = JSON.parse(r.stdout) as {
    ok: boolean;
    error: { status: number; name: string; message: string; hint?: string };
  };
  expect(v.ok).toBe(false);
  expect(Object.keys(v).sort()).toEqual(['error', 'ok']);
  expect(typeof v.error.status).toBe('number');
  expect(v.error.name).toBe(name);
  expect(v.error.message).toMatch(message);
  if (hint) expect(v.error.hint).toMatch(hint);
  else expect(v.error).not.toHaveProperty('hint');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wristpay-json-contract-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('usage errors: MALFORMED, exit 2, on stdout with --json (nothing but a help pointer on stderr)', () => {
  it("commander's own: an unknown option, a missing argument, a missing required option, an unknown command", async () => {
    const cases: Array<[string[], RegExp]> = [
      [['bridge', 'status', '--frobnicate', '--json'], /unknown option '--frobnicate'/],
      [['bridge', 'refund', '--json'], /missing required argument 'order'/],
      [['checkout', 'account', 'add', '--json'], /required option '--user <name>' not specified/],
      [['bridge', 'frobnicate', '--json'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expectError(r, 2, 'MALFORMED', message, /--help/);
      expect(r.stderr).not.toContain('Usage:');
    }
  });

  it('a checkout command that must not guess its database: no --db and no WRISTPAY_DB is a usage error', async () => {
    for (const args of [
      ['checkout', 'account', 'add', '--user', 'someone', '--password-stdin', '--json'],
      ['checkout', 'revoke', '--band', '0'.repeat(32), '--json'],
      ['checkout', 'migrate', '--json'],
    ])
      expectError(await run(args, 'a-password\n'), 2, 'MALFORMED', /--db FILE\|URL, or set WRISTPAY_DB/);
  });

  it('without --json commander still prints its message and the help on stderr, exit 2', async () => {
    const r = await run(['bridge', 'status', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown option '--frobnicate'");
  });

  it("a command's own: not an amount; a bad port for checkout start; a bad sim option", async () => {
    expectError(
      await run(['bridge', 'charge', 'abc', '--json']),
      2,
      'MALFORMED',
      /not an amount in CNY: abc/,
      /12\.34/,
    );
    expectError(
      await run(['checkout', 'start', '--port', '99999', '--db', join(dir, 'unused.db'), '--json']),
      2,
      'MALFORMED',
      /--port must be 0\.\.65535/,
      /free port/,
    );
    expectError(
      await run(['sim', 'wear', 'sideways', '--state', join(dir, 'nosim'), '--json']),
      2,
      'MALFORMED',
      /takes on or off/,
      /--help/,
    );
  });

  it('checkout account add: a short password is usage (2), not declined, in the shape', async () => {
    const r = await run(
      ['checkout', 'account', 'add', '--db', join(dir, 'a.db'), '--user', 'alice', '--password-stdin', '--json'],
      'short\n123456\n',
    );
    expectError(r, 2, 'MALFORMED', /8 to 128 characters/);
  });
});

describe('declined (1) and unreachable or I/O (3)', () => {
  it('account add: a taken username is declined with a hint', async () => {
    const db = join(dir, 'taken.db');
    const args = ['checkout', 'account', 'add', '--db', db, '--user', 'bob', '--password-stdin', '--json'];
    const first = await run(args, 'a long password\n123456\n');
    expect(first.code, first.stdout).toBe(0);
    expect(first.json()).toMatchObject({ ok: true, account: { username: 'bob' } });
    expectError(await run(args, 'a long password\n123456\n'), 1, 'CONFLICT', /taken/, /another --user/);
  });

  it('a checkout that is not listening: exit 3, the URL and the cause, a hint to start it', async () => {
    const port = await closedPort();
    const r = await run(
      [
        'bridge',
        'card',
        'list',
        '--user',
        'bob',
        '--password-stdin',
        '--checkout',
        `http://127.0.0.1:${port}`,
        '--json',
      ],
      'pw\n',
    );
    expect(r.code).toBe(3);
    expect(r.json()).toMatchObject({
      ok: false,
      error: {
        name: 'UNREACHABLE',
        message: `cannot reach the checkout at http://127.0.0.1:${port}: nothing is listening there (ECONNREFUSED)`,
        hint: expect.stringContaining('wristpay checkout start'),
      },
    });
    const human = await run(
      ['bridge', 'card', 'list', '--user', 'bob', '--password-stdin', '--checkout', `http://127.0.0.1:${port}`],
      'pw\n',
    );
    expect(human.stderr).toContain(`cannot reach the checkout at http://127.0.0.1:${port}`);
    expect(human.stderr).toContain('hint: is the checkout started (wristpay checkout start) and on that port?');
    expect(human.stderr).not.toContain('fetch failed');
  });

  it('no simulator on the state dir: exit 3 with the hint to start one; no status sentence that misleads', async () => {
    const state = join(dir, 'empty-state');
    expectError(
      await run(['sim', 'status', '--state', state, '--json']),
      3,
      'UNREACHABLE',
      /no simulator is running/,
      /wristpay sim start/,
    );
    const human = await run(['sim', 'status', '--state', state]);
    expect(human.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^wristpay: no simulator is running on .* \(UNREACHABLE\)$/),
      '  hint: start it: wristpay sim start (same --state)',
    ]);
  });

  it('a busy state dir (a simulator holds its lock): exit 3 (documented), BUSY', async () => {
    const state = join(dir, 'busy-state');
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'sim.lock'), `${process.pid}\n`); // this test process: alive
    expectError(
      await run(['sim', 'flash', join(dir, 'any.img'), '--state', state, '--json']),
      3,
      'BUSY',
      /is running on/,
      /stop the other simulator/,
    );
  });

  it('corrupt state and config files are I/O: exit 3, with a hint to fix or move them', async () => {
    const state = join(dir, 'corrupt-state');
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'control.json'), '{"version": 1, "url": ');
    const sim = await run(['sim', 'status', '--state', state, '--json']);
    expect(sim.code).toBe(3);
    expect(sim.json()).toMatchObject({ ok: false, error: { name: 'MALFORMED' } });
    mkdirSync(join(dir, 'config', 'wristpay'), { recursive: true });
    const config = join(dir, 'config', 'wristpay', 'bridge.json');
    writeFileSync(config, '{ not json');
    try {
      expectError(await run(['bridge', 'charge', '1', '--json']), 3, 'MALFORMED', /is not JSON/, /fix or move away/);
    } finally {
      rmSync(config);
    }
  });
});

describe('wristpay --help', () => {
  it('says the exit codes, the error shape and the environment', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Exit codes: 0 ok, 1 declined, 2 usage');
    expect(r.stdout).toContain('{"ok":false,"error":{"status":<n>,"name":"<STATUS>","message":"…","hint":"…"}}');
    for (const v of ['WRISTPAY_CHECKOUT', 'WRISTPAY_STATE', 'WRISTPAY_RADIO']) expect(r.stdout).toContain(v);
  });
});
