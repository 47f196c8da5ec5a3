/**
 * Prompts (issue 14, item 10). A new password is checked as soon as it is typed and then
 * typed again, 3 tries (cli/secret-input.ts askNewSecret, driven here through a
 * terminal double that answers each prompt as a person would); a wrong payment password
 * at charge's fallback is asked again, 3 tries in all; with --password-stdin nothing is
 * asked again (`wristpay` as a process).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/bridge-io.ts';
import { askNewSecret } from '../../cli/secret-input.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { runCli } from './helpers/cli.ts';
import { wristpay } from './helpers/process.ts';
import { PAY_PASSWORD, ownerAccount, pairingCode } from './helpers/world.ts';

/** A terminal: stdin in raw mode, and a screen that types the next answer (then Enter) whenever a prompt ends in ": ". */
function terminal(answers: string[]): {
  stdin: CliIo['stdin'];
  screen: { text: string; isTTY: boolean; write(s: string): boolean };
  prompts: () => string[];
} {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
  const screen = {
    text: '',
    isTTY: true,
    write(s: string) {
      this.text += s;
      if (s.endsWith(': ') && answers.length > 0) {
        const answer = answers.shift() as string;
        setImmediate(() => stdin.write(`${answer}\r`));
      }
      return true;
    },
  };
  return {
    stdin: stdin as unknown as CliIo['stdin'],
    screen,
    prompts: () => screen.text.split('\n').filter((l) => l.endsWith(': ') || /: $/.test(l)),
  };
}

const rule = {
  prompt: 'Password: ',
  confirm: 'Type it again: ',
  problem: (v: string) => (v.length < 8 ? 'the password must be 8 to 128 characters' : null),
};

describe('askNewSecret: check first, then type it again, 3 tries', () => {
  it('a short one is refused before the confirmation is asked; then a good one typed twice', async () => {
    const t = terminal(['short', 'a long password', 'a long password']);
    expect(await askNewSecret(t.stdin, t.screen, rule)).toBe('a long password');
    expect(t.screen.text).toBe(
      'Password: \nthe password must be 8 to 128 characters; try again\nPassword: \nType it again: \n',
    );
  });

  it('a mismatch asks again from the start', async () => {
    const t = terminal(['a long password', 'a long passwort', 'another password', 'another password']);
    expect(await askNewSecret(t.stdin, t.screen, rule)).toBe('another password');
    expect(t.screen.text).toContain('the two did not match; try again\n');
  });

  it('three failures: null, and the last one does not say "try again"', async () => {
    const t = terminal(['short', 'a long password', 'other one!', 'tiny']);
    expect(await askNewSecret(t.stdin, t.screen, rule)).toBeNull();
    expect(t.screen.text.match(/Password: /g)).toHaveLength(3);
    expect(t.screen.text.endsWith('the password must be 8 to 128 characters\n')).toBe(true);
  });

  it('typed ahead in one chunk (a paste): each prompt still gets its own line', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
    const screen = {
      text: '',
      write(s: string) {
        this.text += s;
        return true;
      },
    };
    stdin.write('a long password\ra long password\r');
    expect(await askNewSecret(stdin as unknown as CliIo['stdin'], screen, rule)).toBe('a long password');
  });

  it('Ctrl-C ends it at once', async () => {
    const t = terminal(['\u0003']);
    expect(await askNewSecret(t.stdin, t.screen, rule)).toBeNull();
    expect(t.screen.text).toBe('Password: \n');
  });
});

describe('checkout account add --password-stdin: checked, never asked again (as a process)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wristpay-prompts-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a bad payment password: exit 2, said, no prompt; a good pair creates the account in a 0600 database', async () => {
    const db = join(dir, 'shop.db');
    const bad = await wristpay(['checkout', 'account', 'add', '--db', db, '--user', 'carol', '--password-stdin'], {
      stdin: 'a long password\n12345\n',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('the payment password must be six digits');
    expect(bad.stderr).not.toContain('again');
    const good = await wristpay(['checkout', 'account', 'add', '--db', db, '--user', 'carol', '--password-stdin'], {
      stdin: 'a long password\n123456\n',
    });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('created owner account carol');
    expect(statSync(db).mode & 0o777).toBe(0o600);
  });

  it('no terminal and no --password-stdin: exit 2 with the way to pipe it in', async () => {
    const r = await wristpay(['checkout', 'account', 'add', '--db', join(dir, 'x.db'), '--user', 'dave']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hint: pipe the password in with --password-stdin');
  });
});

describe("charge's payment-password fallback on a terminal: a wrong one is asked again", () => {
  let h: Harness;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    dir = mkdtempSync(join(tmpdir(), 'wristpay-prompts-charge-'));
    env = { XDG_CONFIG_HOME: dir };
    const paired = await runCli(['bridge', 'pair', '--checkout', h.server.url, '--code', await pairingCode(h)], {
      env,
    });
    if (paired.code !== 0) throw new Error(paired.stderr);
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const charge = async (order: string, answers: string[]) => {
    const payer = (await ownerAccount(h)).username;
    const t = terminal(answers);
    const r = await runCli(['bridge', 'charge', '3', '--order', order, '--radio', 'none', '--payer', payer, '--json'], {
      env,
      io: { stdin: t.stdin, stderr: t.screen },
    });
    return { ...r, screen: t.screen.text };
  };

  it('wrong, wrong, right: paid, exit 0, after two "try again"', async () => {
    const r = await charge('prompt-1', ['000000', '111111', PAY_PASSWORD]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, outcome: 'paid', receipt: { method: 'password', amount: 300 } });
    expect(r.screen.match(/Payment password for /g)).toHaveLength(3);
    expect(r.screen).toContain('try again (2 tries left)');
    expect(r.screen).toContain('try again (1 try left)');
  });

  it('three wrong: declined UNAUTHORIZED, exit 1, not asked a fourth time', async () => {
    const r = await charge('prompt-2', ['000000', '111111', '222222', PAY_PASSWORD]);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false, outcome: 'declined', error: { name: 'UNAUTHORIZED' } });
    expect(r.screen.match(/Payment password for /g)).toHaveLength(3);
  });
});
