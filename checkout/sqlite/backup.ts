/**
 * Backup and restore of the checkout's SQLite file while it may be in use.
 *
 * backup: SQLite's online backup API (https://sqlite.org/backup.html) through
 * better-sqlite3's db.backup(), asked to copy every page in ONE step: that step reads
 * inside one read transaction, so the copy is the database as of one commit (every
 * payment acknowledged before the backup began is in it), and in WAL mode the checkout
 * keeps writing meanwhile. Copied in small steps instead, a write by the running checkout
 * would restart the copy each time, and under steady traffic it might never finish.
 *
 * restore: copies a checked backup into place. Never over an existing database unless
 * forced, and then the old file's -wal and -shm go too: SQLite would otherwise replay the
 * old database's WAL onto the restored pages. The checkout must be stopped meanwhile.
 *
 * Both files are created 0600 (they hold the checkout's private keys and every payment).
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync, renameSync, rmSync } from 'node:fs';
import { migrations } from './migrations.ts';

const FILE_MODE = 0o600;
/** Pages per backup step: all of them (see above). */
const ALL_PAGES = 0x7fffffff;

export class BackupError extends Error {}

export interface BackupResult {
  pages: number;
  schemaVersion: number;
}

export async function backupDatabase(
  dbFile: string,
  outFile: string,
  options: { force?: boolean } = {},
): Promise<BackupResult> {
  if (!existsSync(dbFile)) throw new BackupError(`no database at ${dbFile}`);
  if (existsSync(outFile) && !options.force) throw new BackupError(`${outFile} exists; pass --force to replace it`);
  const partial = `${outFile}.partial`;
  const src = new Database(dbFile, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    rmSync(partial, { force: true });
    closeSync(openSync(partial, 'wx', FILE_MODE));
    const progress = await src.backup(partial, { progress: () => ALL_PAGES });
    const schemaVersion = check(partial);
    renameSync(partial, outFile);
    chmodSync(outFile, FILE_MODE);
    return { pages: progress.totalPages, schemaVersion };
  } catch (e) {
    rmSync(partial, { force: true }); // no half-written backup left to be mistaken for one
    throw e;
  } finally {
    src.close();
  }
}

export async function restoreDatabase(
  fromFile: string,
  dbFile: string,
  options: { force?: boolean } = {},
): Promise<BackupResult> {
  if (!existsSync(fromFile)) throw new BackupError(`no backup at ${fromFile}`);
  if (existsSync(dbFile) && !options.force)
    throw new BackupError(`${dbFile} exists; pass --force to replace it (stop the checkout first)`);
  check(fromFile);
  const partial = `${dbFile}.restoring`;
  rmSync(partial, { force: true });
  closeSync(openSync(partial, 'wx', FILE_MODE));
  const src = new Database(fromFile, { fileMustExist: true });
  let pages: number;
  try {
    pages = (await src.backup(partial, { progress: () => ALL_PAGES })).totalPages;
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    src.close();
  }
  for (const f of [`${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  renameSync(partial, dbFile);
  chmodSync(dbFile, FILE_MODE);
  return { pages, schemaVersion: check(dbFile) };
}

/** A whole, uncorrupted checkout database (integrity_check) with a known schema; returns its version. */
function check(file: string): number {
  try {
    return checkOpen(file);
  } catch (e) {
    // "file is not a database" and the like: a refusal of this file, not a failure of ours.
    if (e instanceof Database.SqliteError) throw new BackupError(`${file}: ${e.message}`);
    throw e;
  }
}

function checkOpen(file: string): number {
  // Read-write: a WAL file opened read-only leaves its -shm behind; closing the last connection removes both.
  const db = new Database(file, { fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged: ${String(integrity)}`);
    const hasMigrations = db
      .prepare("SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'migrations'")
      .get();
    if (!hasMigrations) throw new BackupError(`${file} is not a checkout database`);
    const v = (db.prepare('SELECT MAX(version) AS v FROM migrations').get() as { v: number | null }).v ?? 0;
    const known = migrations[migrations.length - 1].version;
    if (v > known) throw new BackupError(`${file} has schema version ${v}, newer than this checkout knows (${known})`);
    return v;
  } finally {
    db.close();
  }
}
