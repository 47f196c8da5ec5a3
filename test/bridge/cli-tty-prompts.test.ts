/**
 * `wristpay checkout account add` at a real terminal (issue 14, item 10): a pseudo-terminal
 * from util-linux `script` (node has none built in; test/support/requirements.ts), a person
 * typing each answer after its prompt. The password is checked before the next question,
 * asked twice, never echoed; a wrong payment password at charge's fallback is asked again.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { BIN, wristpay } from './helpers/process.ts';
import { PAY_PASSWORD, ownerAccount, pairingCode } from './helpers/world.ts';
import { spawnOnTerminal } from '../support/pseudo-terminal.ts';
import { needs, requirements } from '../support/requirements.ts';

/** Runs `wristpay args` on a pseudo-terminal; types the next answer (and Enter) after each prompt ending in ": ". */
function onTerminal(
  args: string[],
  answers: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; screen: string }> {
  const child = spawnOnTerminal([process.execPath, BIN, ...args], env);
  let screen = '';
  child.stdout.on('data', (d) => {
    screen += String(d);
    // A person reads the prompt before typing; the command switches the terminal to raw mode right after it.
    if (/: $/.test(screen) && answers.length > 0) {
      const answer = answers.shift() as string;
      setTimeout(() => child.stdin.write(`${answer}\r`), 50);
    }
  });
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code, screen: screen.replace(/\r\n/g, '\n') })),
  );
}

needs(requirements.script).describe('account add on a terminal', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wristpay-tty-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a short password is refused at once, each secret is typed twice, nothing is echoed; the database is 0600', async () => {
    const db = join(dir, 'shop.db');
    const r = await onTerminal(
      ['checkout', 'account', 'add', '--db', db, '--user', 'erin'],
      ['short', 'a long password', 'a long password', '12345', '246810', '246810'],
    );
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toBe(
      [
        'Password for erin (8 to 128 characters): ',
        'the password must be 8 to 128 characters; try again',
        'Password for erin (8 to 128 characters): ',
        'Type it again: ',
        'Six-digit payment password (the fallback when no band can sign): ',
        'the payment password must be six digits; try again',
        'Six-digit payment password (the fallback when no band can sign): ',
        'Type it again: ',
        'created owner account erin',
        '',
      ].join('\n'),
    );
    expect(statSync(db).mode & 0o777).toBe(0o600);
  });

  it('three mismatches: no account, exit 2', async () => {
    const db = join(dir, 'other.db');
    const r = await onTerminal(
      ['checkout', 'account', 'add', '--db', db, '--user', 'frank', '--merchant', 'Frank'],
      [
        'a long password',
        'a long passwort',
        'a long password',
        'a long passwore',
        'a long password',
        'a long passwork',
      ],
    );
    expect(r.code, r.screen).toBe(2);
    expect(r.screen.match(/the two did not match/g)).toHaveLength(3);
    expect(r.screen).toContain('wristpay: no password set (three tries, or cancelled)');
  });
});

needs(requirements.script).describe("charge's payment password on a terminal", () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    dir = mkdtempSync(join(tmpdir(), 'wristpay-tty-charge-'));
    const paired = await wristpay(['bridge', 'pair', '--checkout', h.server.url, '--code', await pairingCode(h)], {
      env: { XDG_CONFIG_HOME: dir },
    });
    if (paired.code !== 0) throw new Error(paired.stderr);
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a wrong one is asked again; the right one pays', async () => {
    const { username } = await ownerAccount(h);
    const r = await onTerminal(
      ['bridge', 'charge', '6', '--radio', 'none', '--payer', username],
      ['000000', PAY_PASSWORD],
      { XDG_CONFIG_HOME: dir, WRISTPAY_RADIO: '' },
    );
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain('Wrong payer or payment password; try again (2 tries left).');
    expect(r.screen.match(/Payment password for /g)).toHaveLength(2);
    expect(r.screen).toContain('Paid 6.00 CNY to Tea House');
    expect(r.screen).not.toContain(PAY_PASSWORD);
  });
});
