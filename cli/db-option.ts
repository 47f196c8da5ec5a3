/**
 * The checkout's database, as every `wristpay checkout` command names it: `--db` takes a
 * SQLite file or a postgres:// URL (open-store.ts); without it, WRISTPAY_DB; without that,
 * the command's own default (`start` and `keys`: checkout.db), or a usage error where a
 * mistyped default would silently create a new, empty ledger.
 */
import type { Command } from 'commander';

export const DB_FLAGS = '--db <file|url>';
export const DB_HELP =
  "the checkout's state: a SQLite file, or postgres://user@host:port/db shared by several checkouts (default: $WRISTPAY_DB";

/** Adds --db with the help that says where the default comes from. */
export function dbOption(cmd: Command, fallback?: string): Command {
  return cmd.option(DB_FLAGS, `${DB_HELP}${fallback ? `, else ${fallback}` : ''})`);
}

/** --db, else WRISTPAY_DB, else `fallback`; undefined when none gives one. */
export function dbFrom(o: { db?: string }, fallback?: string): string | undefined {
  const env = process.env.WRISTPAY_DB;
  return o.db ?? (env !== undefined && env !== '' ? env : fallback);
}

export const NO_DB = 'say which checkout database: --db FILE|URL, or set WRISTPAY_DB';
