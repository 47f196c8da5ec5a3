/**
 * The checkout CLI's promotion options as a process: `checkout start --promotions FILE` refuses a
 * bad file before it opens anything, naming the entry; `checkout account add --category` sets a
 * merchant's category and refuses an unknown one.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../checkout/sqlite/store.ts';

const ENTRY = join(import.meta.dirname, 'helpers', 'cli-entry.ts');

function run(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wristpay-cli-promotions-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wristpay checkout start --promotions', () => {
  it('a bad entry: exit 2, the file, the entry and the rule named, no database made', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        promotions: [
          {
            id: 'late',
            issuer: 'icbc',
            kind: 'points',
            label: 'x',
            validFrom: '2026-02-01T00:00:00Z',
            validUntil: '2026-01-01T00:00:00Z',
            per: 100,
            points: 1,
          },
        ],
      }),
    );
    const db = join(dir, 'never.db'); // --json: the error object on stdout
    const r = await run(['checkout', 'start', '--db', db, '--port', '0', '--json', '--promotions', file]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({
      ok: false,
      error: { message: `${file}: promotion 1 ("late"): validUntil must be after validFrom` },
    });
    const missing = await run(['checkout', 'start', '--db', db, '--port', '0', '--promotions', join(dir, 'none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
    expect(existsSync(db)).toBe(false);
  });
});

describe('wristpay checkout account add --category', () => {
  it("sets a merchant's category; refuses an unknown one and an owner's", async () => {
    const db = join(dir, 'shop.db');
    const pw = 'correct horse battery\n';
    const ok = await run(
      [
        'checkout',
        'account',
        'add',
        '--db',
        db,
        '--user',
        'teahouse',
        '--merchant',
        'Tea House',
        '--category',
        'dining',
        '--password-stdin',
      ],
      pw,
    );
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await run(
      [
        'checkout',
        'account',
        'add',
        '--db',
        db,
        '--user',
        'casino',
        '--merchant',
        'Casino',
        '--category',
        'casino',
        '--password-stdin',
      ],
      pw,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('category: merchants only, one of dining, grocery');
    const owner = await run(
      ['checkout', 'account', 'add', '--db', db, '--user', 'alice', '--category', 'dining', '--password-stdin'],
      `${pw}135790\n`,
    );
    expect(owner.code).toBe(2);
    const store = openSqliteStore(db);
    try {
      const shop = await store.accounts.byUsername('teahouse');
      expect(await store.merchants.category(shop?.id as string)).toBe('dining');
      expect(await store.accounts.byUsername('casino')).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
