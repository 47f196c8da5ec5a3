/**
 * `wristpay checkout backup` and `restore`: a consistent copy of the checkout's SQLite file
 * taken while it runs, and putting one back (checkout/sqlite/backup.ts). For a
 * PostgreSQL store these are pg_dump and pg_restore (docs/CHECKOUT.md "Backups").
 */
import type { Command } from 'commander';
import { BackupError, type BackupResult, backupDatabase, restoreDatabase } from '../checkout/sqlite/backup.ts';
import { ExitCode } from './exit-codes.ts';

interface BackupOptions {
  db: string;
  out: string;
  force?: boolean;
  json?: boolean;
}
interface RestoreOptions {
  from: string;
  db: string;
  force?: boolean;
  json?: boolean;
}

async function report(
  json: boolean | undefined,
  setExit: (code: number) => void,
  work: Promise<BackupResult>,
  done: (r: BackupResult) => string,
): Promise<void> {
  try {
    const r = await work;
    process.stdout.write((json ? JSON.stringify({ ok: true, ...r }) : done(r)) + '\n');
    setExit(ExitCode.OK);
  } catch (e) {
    // A refusal (exists, damaged, not ours) or SQLite's own error (not a database, locked).
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`wristpay: ${message}\n`);
    if (json) process.stdout.write(JSON.stringify({ ok: false, message }) + '\n');
    setExit(e instanceof BackupError ? ExitCode.DECLINED : ExitCode.UNREACHABLE);
  }
}

export function registerBackupCommands(group: Command, setExit: (code: number) => void): void {
  group
    .command('backup')
    .description('Copy the checkout database while it runs (one consistent snapshot; file mode 0600).')
    .requiredOption('--db <file>', "the checkout's SQLite file")
    .requiredOption('--out <file>', 'where to write the backup')
    .option('--force', 'replace an existing --out file')
    .option('--json', 'machine-readable output')
    .action((o: BackupOptions) =>
      report(
        o.json,
        setExit,
        backupDatabase(o.db, o.out, { force: o.force }),
        (r) => `backed up ${o.db} to ${o.out} (${r.pages} pages, schema ${r.schemaVersion})`,
      ),
    );

  group
    .command('restore')
    .description('Put a backup in place as the checkout database (stop the checkout first).')
    .requiredOption('--from <file>', 'a file made by `checkout backup`')
    .requiredOption('--db <file>', "the checkout's SQLite file to create")
    .option('--force', 'replace an existing database (its -wal and -shm files go too)')
    .option('--json', 'machine-readable output')
    .action((o: RestoreOptions) =>
      report(
        o.json,
        setExit,
        restoreDatabase(o.from, o.db, { force: o.force }),
        (r) => `restored ${o.from} to ${o.db} (${r.pages} pages, schema ${r.schemaVersion}); start the checkout on it`,
      ),
    );
}
