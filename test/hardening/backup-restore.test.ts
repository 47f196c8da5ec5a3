/**
 * `wristpay checkout backup` while the checkout (a child process) takes payments, and
 * `checkout restore` of that backup (issue 19). Band payments run in several lanes; the
 * backup is taken as a process of its own in the middle; payments go on during it. The
 * backup is restored to a new file, a checkout is started on it, and every payment
 * acknowledged before the backup began is found there, through the API. Both files are
 * 0600; restore refuses to overwrite a database without --force, and with --force replaces
 * it and its WAL.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCheckout } from '../../checkout/checkout.ts';
import { startCheckoutServer } from '../../checkout/http/server.ts';
import { cheapTestConfig } from '../../harness/checkout-harness.ts';
import { type ChildCheckout, startChildCheckout } from './helpers/child-checkout.ts';
import { type Attempt, payLoop, setUpWorld, terminalClient } from './helpers/kill-load.ts';
import { ledgerProblems, openReader } from './helpers/ledger-check.ts';
import { reportFigures } from './helpers/scale.ts';

const ENTRY = join(import.meta.dirname, 'helpers', 'checkout-process.ts');
const LANES = 8;

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'checkout', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

const mode = (f: string): number => statSync(f).mode & 0o777;

describe('backup under load, and restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-backup-'));
  const dbFile = join(dir, 'checkout.db');
  const backupFile = join(dir, 'backup.db');
  const restoredFile = join(dir, 'restored.db');
  const children: ChildCheckout[] = [];
  afterAll(async () => {
    for (const c of children) await c.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a backup taken while payments run holds every payment acknowledged before it began; restored, a checkout serves them', async () => {
    const setup = await createCheckout({ db: dbFile, config: cheapTestConfig });
    const setupServer = await startCheckoutServer(setup, { port: 0, log: () => undefined });
    const w = await setUpWorld(setupServer.url, LANES);
    await setupServer.close();
    await setup.close();

    const live = await startChildCheckout(dbFile);
    children.push(live);
    const attempts: Attempt[] = [];
    let stop = false;
    let paid = 0;
    let beforeBackup: Attempt[] = [];
    let paidDuringBackup = 0;
    let backup: Promise<{ code: number | null; out: string; err: string }> | undefined;
    const onPaid = (): void => {
      paid += 1;
      if (backup) paidDuringBackup += 1;
      if (paid !== 40) return;
      // What is acknowledged now; then the backup starts (a process of its own), and the
      // payments go on until it is done.
      beforeBackup = attempts.filter((a) => a.state === 'paid').map((a) => ({ ...a }));
      backup = cli(['backup', '--db', dbFile, '--out', backupFile, '--json']).finally(() => (stop = true));
    };
    const client = terminalClient(live.url, w);
    await Promise.all(
      w.lanes.map((_, lane) =>
        payLoop(
          client,
          w,
          lane,
          'b',
          attempts,
          () => 100 + (paid % 500),
          () => stop,
          onPaid,
        ),
      ),
    );
    const b = await (backup as NonNullable<typeof backup>);
    expect(b.code, b.err).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ ok: true, schemaVersion: expect.any(Number) });
    expect(mode(backupFile)).toBe(0o600);
    expect(beforeBackup.length).toBeGreaterThanOrEqual(40 - LANES);
    expect(paidDuringBackup, 'payments acknowledged while the backup ran').toBeGreaterThan(0);

    const r = await cli(['restore', '--from', backupFile, '--db', restoredFile]);
    expect(r.code, r.err).toBe(0);
    expect(mode(restoredFile)).toBe(0o600);
    const reader = openReader(restoredFile);
    try {
      expect(ledgerProblems(reader)).toEqual([]);
    } finally {
      reader.close();
    }

    const restored = await startChildCheckout(restoredFile);
    children.push(restored);
    const restoredClient = terminalClient(restored.url, w);
    for (const a of beforeBackup) {
      const q = await restoredClient.queryTrade(a.outTradeNo);
      expect(q.trade.status, a.outTradeNo).toBe('TRADE_SUCCESS');
      expect(q.payment?.amount, a.outTradeNo).toBe(a.amount);
    }
    reportFigures('backup-restore', {
      lanes: LANES,
      acknowledgedBeforeBackup: beforeBackup.length,
      paidDuringBackup,
      paidInAll: paid,
    });
  }, 180_000);

  it('restore refuses to overwrite a database without --force, and with it replaces the database and its WAL', async () => {
    const target = join(dir, 'target.db');
    writeFileSync(target, 'not touched');
    const refused = await cli(['restore', '--from', backupFile, '--db', target]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/exists; pass --force/);
    expect(readFileSync(target, 'utf8')).toBe('not touched');

    writeFileSync(`${target}-wal`, 'a stale WAL of another database');
    const forced = await cli(['restore', '--from', backupFile, '--db', target, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(existsSync(`${target}-wal`)).toBe(false);
    const db = openReader(target);
    try {
      expect(ledgerProblems(db)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('refuses what is not a checkout database, and never creates a backup of a missing file', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'x'.repeat(4096));
    const r = await cli(['restore', '--from', junk, '--db', join(dir, 'fresh.db')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a database/);
    expect(existsSync(join(dir, 'fresh.db'))).toBe(false);
    const b = await cli(['backup', '--db', join(dir, 'missing.db'), '--out', join(dir, 'missing.bak')]);
    expect(b.code).toBe(1);
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
    expect(existsSync(join(dir, 'missing.bak'))).toBe(false);
  });
});
