/**
 * Which store a `--db` value names: a postgres:// or postgresql:// URL is a PostgreSQL
 * database (several checkout processes may share it); anything else is a SQLite file path.
 */
import type { PgOptions } from './postgres/connect.ts';
import { openSqliteStore } from './sqlite/store.ts';
import type { CheckoutStore } from './store.ts';

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

export async function openStore(db: string, options: PgOptions = {}): Promise<CheckoutStore> {
  if (!isPostgresUrl(db)) return openSqliteStore(db);
  // Loaded only when asked for: a SQLite checkout never loads the PostgreSQL driver.
  const { openPgStore } = await import('./postgres/store.ts');
  return openPgStore(db, options);
}

/** The URL with its password replaced, for logs and messages. */
export function redactDbUrl(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const u = new URL(db);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
