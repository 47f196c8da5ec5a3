/**
 * `wristpay checkout migrate` (bring a database's schema up to this wristpay's) and
 * `wristpay checkout copy` (move a shop's SQLite ledger into PostgreSQL, verified).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CopyRefused, copySqliteToPostgres, openCopySource } from '../checkout/copy-ledger.ts';
import { migrateStore } from '../checkout/migrate-store.ts';
import { isPostgresUrl, redactDbUrl } from '../checkout/open-store.ts';
import { databaseProblem } from './open-checkout.ts';
import { SchemaTooNew } from '../checkout/schema-version.ts';
import { Status } from '../shared/status/codes.ts';
import { type CliError, cliError, printError, usageError } from './cli-error.ts';
import { DB_FLAGS, DB_HELP, NO_DB, dbFrom } from './db-option.ts';
import { ExitCode } from './exit-codes.ts';

interface MigrateOptions {
  db?: string;
  json?: boolean;
}
interface CopyOptions {
  from: string;
  to: string;
  json?: boolean;
}

/** What went wrong with a database, in the one error shape, and its exit code. */
function dbFailure(e: unknown, db: string): { error: CliError; exit: number } | undefined {
  if (e instanceof SchemaTooNew || e instanceof CopyRefused)
    return { error: cliError(Status.CONFLICT, e.message), exit: ExitCode.DECLINED };
  const problem = databaseProblem(e, db);
  return problem ? { error: problem, exit: ExitCode.UNREACHABLE } : undefined;
}

export function registerDbCommands(group: Command, setExit: (code: number) => void): void {
  group
    .command('migrate')
    .description('Apply the schema migrations this wristpay has and the database lacks (forward only).')
    .option(DB_FLAGS, `${DB_HELP})`)
    .option('--json', 'machine-readable output')
    .action(async (o: MigrateOptions) => {
      const json = o.json === true;
      const db = dbFrom(o);
      if (db === undefined) {
        printError(process, json, usageError(NO_DB));
        setExit(ExitCode.USAGE);
        return;
      }
      try {
        const r = await migrateStore(db);
        const text =
          r.applied.length === 0
            ? `${redactDbUrl(db)}: schema version ${r.version}, nothing to apply`
            : `${redactDbUrl(db)}: applied ${r.applied.join(', ')}; schema version ${r.version}`;
        process.stdout.write((json ? JSON.stringify({ ok: true, ...r }) : text) + '\n');
        setExit(ExitCode.OK);
      } catch (e) {
        const f = dbFailure(e, db);
        if (!f) throw e;
        printError(process, json, f.error);
        setExit(f.exit);
      }
    });

  group
    .command('copy')
    .description('Copy a SQLite checkout database into an empty PostgreSQL one, every row and key, then verify it.')
    .requiredOption('--from <file>', "the shop's SQLite file (stop its checkout first)")
    .requiredOption('--to <url>', 'postgres://user@host:port/db, empty (its schema is created)')
    .option('--json', 'machine-readable output')
    .action(async (o: CopyOptions) => {
      const json = o.json === true;
      const usage =
        isPostgresUrl(o.from) || !existsSync(o.from)
          ? `--from must be an existing SQLite file, not ${redactDbUrl(o.from)}`
          : !isPostgresUrl(o.to)
            ? `--to must be a postgres:// URL, not ${o.to}`
            : null;
      if (usage) {
        printError(
          process,
          json,
          usageError(usage, 'wristpay checkout copy --from shop.db --to postgres://user@host/db'),
        );
        setExit(ExitCode.USAGE);
        return;
      }
      const { PgStore } = await import('../checkout/postgres/store.ts');
      const { PgDatabase } = await import('../checkout/postgres/connect.ts');
      let source: ReturnType<typeof openCopySource>;
      try {
        source = openCopySource(o.from);
      } catch (e) {
        const f = dbFailure(e, o.from);
        if (!f) throw e;
        printError(process, json, f.error);
        setExit(f.exit);
        return;
      }
      const target = new PgStore(new PgDatabase(o.to, { poolSize: 2 }));
      try {
        await target.open();
        const summary = await copySqliteToPostgres(source, target.db);
        const rows = Object.values(summary.rows).reduce((a, b) => a + b, 0);
        const text = `copied ${rows} rows from ${o.from} to ${redactDbUrl(o.to)}; verified: ${summary.rows.payments} payments totalling ${summary.totals.paid}, ${summary.rows.refunds} refunds totalling ${summary.totals.refunded}`;
        process.stdout.write((json ? JSON.stringify({ ok: true, ...summary }) : text) + '\n');
        setExit(ExitCode.OK);
      } catch (e) {
        const f = dbFailure(e, o.to);
        if (!f) throw e;
        printError(process, json, f.error);
        setExit(f.exit);
      } finally {
        source.close();
        await target.close();
      }
    });
}
