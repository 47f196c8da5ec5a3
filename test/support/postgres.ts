/**
 * A real PostgreSQL server for one test file: started in beforeAll (a throw-away server of
 * the system's PostgreSQL, harness/postgres/local-server.ts), stopped in afterAll. Each
 * `database()` is a fresh empty database on it.
 */
import { afterAll, beforeAll } from 'vitest';
import { type LocalPostgres, startLocalPostgres } from '../../harness/postgres/local-server.ts';

export interface PostgresFixture {
  readonly server: LocalPostgres;
  /** A new empty database's URL. */
  database(): Promise<string>;
}

export function usePostgres(): PostgresFixture {
  let server: LocalPostgres | undefined;
  let n = 0;
  beforeAll(async () => {
    server = await startLocalPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('the PostgreSQL server is not started yet (use it inside a test or hook)');
      return server;
    },
    database() {
      n += 1;
      return this.server.createDatabase(`t${process.pid}_${n}`);
    },
  };
}
