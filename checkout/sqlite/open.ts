/**
 * Opens the checkout's SQLite file: WAL (readers never block the writer, and a crash
 * leaves the last committed transaction), foreign keys on, and every pending migration
 * applied in its own transaction.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';
import { SchemaTooNew } from '../schema-version.ts';
import { migrations } from './migrations.ts';

export type Db = Database.Database;

/** Owner read/write only: the file holds the checkout's private keys and every payment. */
const FILE_MODE = 0o600;

export function openDatabase(file: string): Db {
  return openMigrated(file).db;
}

/** Opens the file and applies what is pending; `applied` lists the versions this call ran. */
export function openMigrated(file: string): { db: Db; applied: number[] } {
  createPrivate(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // Without a busy timeout a second process (the CLI revoking while the server runs)
  // would fail at once instead of waiting for the writer.
  db.pragma('busy_timeout = 5000');
  // FULL: in WAL mode, NORMAL skips the fsync at each commit, so a power loss can undo a
  // payment the terminal was already told succeeded (https://sqlite.org/pragma.html#pragma_synchronous,
  // "WAL mode ... loses durability"). An acknowledged payment must survive; the cost is
  // one fsync per commit, shared by a group commit (group-commit.ts).
  db.pragma('synchronous = FULL');
  immediateTransactions(db);
  let applied: number[];
  try {
    applied = migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  reuseStatements(db);
  // SQLite gives -wal and -shm the main file's mode; a file made by an older version (0644)
  // is tightened here too, together with its companions.
  for (const f of [file, `${file}-wal`, `${file}-shm`])
    if (isFile(f) && (statSync(f).mode & 0o777) !== FILE_MODE) chmodSync(f, FILE_MODE);
  return { db, applied };
}

/** Creates the database file 0600 before SQLite opens it (SQLite would create it 0644 under the usual umask). */
function createPrivate(file: string): void {
  if (!inMemory(file) && !existsSync(file)) closeSync(openSync(file, 'a', FILE_MODE));
}

function isFile(f: string): boolean {
  return !inMemory(f) && existsSync(f);
}

function inMemory(f: string): boolean {
  return f === ':memory:' || f === '';
}

/**
 * Every transaction begins IMMEDIATE (takes the write lock at BEGIN), not DEFERRED as
 * better-sqlite3's default. Several processes write this file (`checkout start --workers N`,
 * or the CLI beside the server): a deferred transaction that has read and then writes
 * while another process holds or has just released the write lock fails at once with
 * SQLITE_BUSY: SQLite calls the busy handler only for a connection that holds no
 * transaction yet (https://sqlite.org/lang_transaction.html, "BEGIN IMMEDIATE";
 * https://sqlite.org/c3ref/busy_handler.html), so busy_timeout cannot help, and the
 * request would end in a 500. Begun IMMEDIATE, it waits its turn (up to busy_timeout).
 * Within one process nothing changes: its one connection runs one transaction at a time.
 */
function immediateTransactions(db: Db): void {
  const make = db.transaction.bind(db);
  db.transaction = ((fn: (...args: never[]) => unknown) => make(fn).immediate) as Db['transaction'];
}

/**
 * Compiles each SQL text once per connection and hands the same Statement back after
 * that: the store calls `db.prepare(sql).get(...)` inline, and compiling was a fifth of
 * a payment's time (npm run bench, docs/HARDENING.md). Safe because every statement here
 * runs to completion synchronously (get/all/run; no iterate, pluck or raw modes).
 */
function reuseStatements(db: Db): void {
  const compiled = new Map<string, Database.Statement>();
  const compile = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    let s = compiled.get(sql);
    if (s === undefined) {
      s = compile(sql);
      compiled.set(sql, s);
    }
    return s;
  }) as Db['prepare'];
}

export function migrate(db: Db): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const done = new Set(
    (db.prepare('SELECT version FROM migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  const newest = Math.max(0, ...done);
  const known = migrations[migrations.length - 1].version;
  if (newest > known) throw new SchemaTooNew(newest, known);
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    // Only outside a transaction can foreign keys be switched off (and must, to drop a table
    // that others reference); they come back on as they were whatever happens.
    const foreignKeys = db.pragma('foreign_keys', { simple: true });
    if (m.rebuildsReferencedTable) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(m.sql);
        if (m.backfill) m.backfill(db);
        if (m.rebuildsReferencedTable && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
          throw new Error(`migration ${m.version} (${m.name}) broke a foreign key; rolled back`);
        }
        db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          m.version,
          m.name,
          Date.now(),
        );
      })();
    } finally {
      db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    }
    applied.push(m.version);
  }
  return applied;
}
