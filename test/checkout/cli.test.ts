/** `wristpay checkout start` as a process: serves on loopback, and SIGTERM closes it cleanly (exit 0). */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../checkout/sqlite/open.ts';

const ENTRY = join(import.meta.dirname, 'helpers', 'cli-entry.ts');

function run(args: string[]): {
  lines: AsyncIterableIterator<string>;
  exit: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  stderr(): string;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    lines: createInterface({ input: child.stdout })[Symbol.asyncIterator](),
    exit,
    kill: (s) => child.kill(s),
    stderr: () => err,
  };
}

describe('wristpay checkout start', () => {
  it('listens on an ephemeral loopback port, answers, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-cli-'));
    try {
      const db = join(dir, 'c.db');
      const p = run(['checkout', 'start', '--db', db, '--port', '0', '--json']);
      const first = JSON.parse((await p.lines.next()).value as string);
      expect(first).toMatchObject({ event: 'listening', db });
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const info = await (await fetch(`${first.url}/v1/checkout`)).json();
      expect(typeof info.signingKey).toBe('string');
      p.kill('SIGTERM');
      expect(JSON.parse((await p.lines.next()).value as string)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
      expect(await p.exit).toBe(0);
      // Closed cleanly: the WAL was checkpointed into the main file and removed.
      expect(existsSync(`${db}-wal`)).toBe(false);
      const reopened = openDatabase(db);
      expect(reopened.prepare('SELECT COUNT(*) AS n FROM meta').get()).toEqual({ n: 1 }); // the device-token key
      // Key 1 of the ring: the signing and HPKE keys.
      expect(reopened.prepare(`SELECT COUNT(*) AS n FROM checkout_keys WHERE state = 'active'`).get()).toEqual({
        n: 1,
      });
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--metrics-port, --log-level: metrics on their own port, JSON log lines on stderr, stdout keeps the events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-cli-'));
    try {
      const p = run([
        'checkout',
        'start',
        '--db',
        join(dir, 'c.db'),
        '--port',
        '0',
        '--json',
        '--log-level',
        'debug',
        '--metrics-port',
        '0',
        '--shutdown-timeout',
        '5',
      ]);
      const first = JSON.parse((await p.lines.next()).value as string);
      expect(first.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.metricsUrl).not.toBe(first.url);
      const health = await fetch(`${first.url}/healthz`, { headers: { 'x-request-id': 'probe-0001' } });
      expect(health.status).toBe(200);
      expect(health.headers.get('x-request-id')).toBe('probe-0001');
      expect((await fetch(`${first.url}/metrics`)).status).toBe(404);
      expect(await (await fetch(`${first.metricsUrl}/metrics`)).text()).toMatch(
        /^wristpay_http_request_duration_seconds_count\{method="GET",route="\/healthz",code="200"\} 1$/m,
      );
      p.kill('SIGTERM');
      expect(JSON.parse((await p.lines.next()).value as string)).toEqual({
        event: 'stopped',
        signal: 'SIGTERM',
        forced: 0,
      });
      expect(await p.exit).toBe(0);
      const log = p
        .stderr()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(log.find((l) => l.reqId === 'probe-0001')).toMatchObject({
        level: 20,
        method: 'GET',
        route: '/healthz',
        status: 200,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad --log-level, --metrics-port or --shutdown-timeout with the usage exit code', async () => {
    const db = join(tmpdir(), 'unused.db');
    for (const bad of [
      ['--log-level', 'loud'],
      ['--metrics-port', '70000'],
      ['--shutdown-timeout', '0'],
      ['--shutdown-timeout', 'soon'],
    ]) {
      expect(await run(['checkout', 'start', '--db', db, '--port', '0', ...bad]).exit, bad.join(' ')).toBe(2);
    }
  });

  it('refuses a bad port with the usage exit code', async () => {
    const p = run(['checkout', 'start', '--db', join(tmpdir(), 'unused.db'), '--port', '99999']);
    expect(await p.exit).toBe(2);
  });
});
