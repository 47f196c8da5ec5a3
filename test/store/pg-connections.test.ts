/**
 * A statement the server refuses must not cost the PostgreSQL store its connection: the
 * store meets such refusals under load (serialization failures it retries, unique
 * violations it answers), and a new connection is a new server process.
 */
import { expect, it } from 'vitest';
import { PgDatabase } from '../../checkout/postgres/connect.ts';
import { usePostgres } from '../support/postgres.ts';
import { needs, requirements } from '../support/requirements.ts';

needs(requirements.postgres).describe('PostgreSQL connections', () => {
  const pg = usePostgres();
  it('keep their server process after a refused statement', async () => {
    const db = new PgDatabase(await pg.database(), { poolSize: 1 });
    try {
      await db.query('CREATE TABLE once (id int PRIMARY KEY)');
      await db.query('INSERT INTO once VALUES (1)');
      const pid = async () => (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const before = await pid();
      await expect(db.query('INSERT INTO once VALUES (1)')).rejects.toMatchObject({ code: '23505' });
      expect(await pid()).toBe(before);
    } finally {
      await db.close();
    }
  });
});
