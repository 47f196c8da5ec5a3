/**
 * Two writers on one SQLite file (`checkout start --workers N`, or the CLI beside the server):
 * a store transaction that reads and then writes, started while another connection holds
 * the write lock, waits for it (busy_timeout) and commits. Begun DEFERRED, as better-sqlite3
 * begins by default, it failed at once with SQLITE_BUSY, which the HTTP edge answers 500:
 * SQLite calls no busy handler for a connection that already holds a read transaction.
 * The other writer is a worker thread, so it can let go of the lock while this one waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../checkout/sqlite/open.ts';

const dir = mkdtempSync(join(tmpdir(), 'wristpay-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOLD_MS = 300;

/** Another connection takes the write lock, says so, and commits HOLD_MS later. */
const HOLDER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');
const db = new Database(workerData.file);
db.exec('BEGIN IMMEDIATE');
db.prepare("INSERT INTO meta (key, value) VALUES ('held', x'01')").run();
parentPort.postMessage('locked');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
db.exec('COMMIT');
db.close();
parentPort.postMessage('released');
`;

it('a read-then-write transaction waits for another writer instead of failing SQLITE_BUSY', async () => {
  const file = join(dir, 'two-writers.db');
  const db = openDatabase(file);
  const holder = new Worker(HOLDER, { eval: true, workerData: { file, holdMs: HOLD_MS } });
  await new Promise((resolve) => holder.once('message', resolve));
  const started = performance.now();
  const readThenWrite = db.transaction(() => {
    const n = (db.prepare('SELECT count(*) AS n FROM meta').get() as { n: number }).n;
    db.prepare("INSERT INTO meta (key, value) VALUES ('mine', ?)").run(Buffer.from([n]));
  });
  readThenWrite();
  const waited = performance.now() - started;
  await new Promise((resolve) => holder.once('exit', resolve));
  // It waited for the other writer's commit, and so read after it.
  expect(waited).toBeGreaterThan(HOLD_MS / 2);
  expect(db.prepare("SELECT count(*) AS n FROM meta WHERE key IN ('held', 'mine')").get()).toEqual({ n: 2 });
  db.close();
});
