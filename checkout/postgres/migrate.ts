/**
 * Applies the PostgreSQL store's pending migrations (migrations.ts), each in its own
 * transaction together with its row in `migrations`. That row is written first: when two
 * checkout processes start at once, the second waits on it, fails to serialize, and on its
 * retry finds the version applied and skips it. A database migrated by a newer wristpay is
 * refused (SchemaTooNew): this code would misread tables it does not know.
 */
import { SchemaTooNew } from '../schema-version.ts';
import type { PgDatabase } from './connect.ts';
import { pgMigrations } from './migrations.ts';

export const PG_SCHEMA_VERSION = pgMigrations[pgMigrations.length - 1].version;

export async function migratePostgres(db: PgDatabase, now: () => number = Date.now): Promise<number[]> {
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  } catch (e) {
    // Two processes creating it at once: one wins (PostgreSQL's catalog says 23505 to the other).
    if ((e as { code?: string }).code !== '23505') throw e;
  }
  await refuseNewer(db);
  const applied: number[] = [];
  for (const m of pgMigrations) {
    const ran = await db.tx(async (q) => {
      const mine = await q.query(
        'INSERT INTO migrations (version, name, applied_at) VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING RETURNING version',
        [m.version, m.name, now()],
      );
      if (mine.rowCount !== 1) return false;
      await q.query(m.sql);
      return true;
    });
    if (ran) applied.push(m.version);
  }
  return applied;
}

export async function schemaVersion(db: PgDatabase): Promise<number> {
  const r = await db.query<{ v: number | null }>('SELECT MAX(version) AS v FROM migrations');
  return r.rows[0]?.v ?? 0;
}

async function refuseNewer(db: PgDatabase): Promise<void> {
  const found = await schemaVersion(db);
  if (found > PG_SCHEMA_VERSION) throw new SchemaTooNew(found, PG_SCHEMA_VERSION);
}
