/**
 * `wristpay checkout migrate`: brings a database's schema up to this wristpay's, forward
 * only, and says what it applied. A checkout also migrates when it starts; running this
 * first lets an operator upgrade the schema once, before rolling several processes.
 */
import { isPostgresUrl } from './open-store.ts';

export interface MigrateResult {
  store: 'sqlite' | 'postgres';
  applied: number[];
  version: number;
}

export async function migrateStore(db: string): Promise<MigrateResult> {
  if (isPostgresUrl(db)) {
    const { PgDatabase } = await import('./postgres/connect.ts');
    const { migratePostgres, schemaVersion } = await import('./postgres/migrate.ts');
    const pg = new PgDatabase(db, { poolSize: 1 });
    try {
      const applied = await migratePostgres(pg);
      return { store: 'postgres', applied, version: await schemaVersion(pg) };
    } finally {
      await pg.close();
    }
  }
  const { openMigrated } = await import('./sqlite/open.ts');
  const { db: file, applied } = openMigrated(db);
  try {
    const v = file.prepare('SELECT MAX(version) AS v FROM migrations').get() as { v: number };
    return { store: 'sqlite', applied, version: v.v };
  } finally {
    file.close();
  }
}
