/**
 * Issue 11, finding 12: what the checkout and the simulator write to disk is readable by
 * their owner only (the checkout's database holds its private keys; a band's state holds
 * its keys and wallet journal), and the ledger commits durably (synchronous = FULL).
 */
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../sim/band/atomic-file.ts';
import { PersistentFlash } from '../../sim/band/persistent-flash.ts';
import { acquireSimLock } from '../../sim/band/sim-lock.ts';
import { bandPaths, loadOrCreateIdentity, statePaths } from '../../sim/band/state-dir.ts';
import { createCheckout } from '../../checkout/checkout.ts';
import { openDatabase } from '../../checkout/sqlite/open.ts';
import { CheckoutClient } from '../../checkout/api/client.ts';
import { startChildCheckout } from './helpers/child-checkout.ts';

const modeOf = (f: string): number => statSync(f).mode & 0o777;

describe('files are private to their owner', () => {
  let dir: string;
  let umask: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wristpay-modes-'));
    umask = process.umask(0o022); // the usual umask, under which SQLite would make 0644
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a new checkout database and its -wal and -shm are 0600, and commits are synchronous=FULL', async () => {
    const file = join(dir, 'shop.db');
    const checkout = await createCheckout({ db: file, notify: false, config: { scryptLog2N: 10 } });
    try {
      await checkout.register({ username: 'alice', password: 'correct horse battery' }); // a write: the WAL exists
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
    } finally {
      await checkout.close();
    }
    const db = openDatabase(file);
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
    db.close();
  });

  it('`wristpay checkout start --db shop.db` makes shop.db, -wal and -shm 0600 under umask 022', async () => {
    const file = join(dir, 'shop.db');
    const child = await startChildCheckout(file); // inherits this process's umask (022, set above)
    try {
      await new CheckoutClient(child.url).register({ username: 'alice', password: 'correct horse battery' });
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(f), f).toBe(0o600);
    } finally {
      await child.stop();
    }
  }, 60_000);

  it('an existing 0644 database is tightened to 0600 when opened', () => {
    const file = join(dir, 'old.db');
    const first = openDatabase(file);
    first.close();
    chmodSync(file, 0o644);
    const db = openDatabase(file);
    expect(modeOf(file)).toBe(0o600);
    db.close();
  });

  it('the simulator state directory is 0700 and its files (identity, flash, lock, JSON) 0600', () => {
    const state = join(dir, 'band');
    const release = acquireSimLock(state);
    loadOrCreateIdentity(state, 1);
    const flash = new PersistentFlash(bandPaths(state, 1).flash, { pageSize: 256, pageCount: 4 });
    writeJsonAtomic(join(state, 'any.json'), { secret: true });
    try {
      expect(modeOf(statePaths(state).dir)).toBe(0o700);
      expect(modeOf(bandPaths(state, 1).dir)).toBe(0o700);
      for (const f of [
        statePaths(state).lock,
        bandPaths(state, 1).identity,
        bandPaths(state, 1).flash,
        join(state, 'any.json'),
      ])
        expect(modeOf(f), f).toBe(0o600);
    } finally {
      flash.close();
      release();
    }
  });
});
