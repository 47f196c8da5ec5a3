/** The store contract on a real PostgreSQL server: two pools (two "processes") on a fresh database per test. */
import { openPgStore } from '../../checkout/postgres/store.ts';
import { usePostgres } from '../support/postgres.ts';
import { needs, requirements } from '../support/requirements.ts';
import { storeContract } from './contract.ts';
import { promotionContract } from './promotion-contract.ts';

needs(requirements.postgres).describe('PostgreSQL', () => {
  const pg = usePostgres();
  const open = async () => {
    const url = await pg.database();
    const a = await openPgStore(url, { poolSize: 4 });
    const b = await openPgStore(url, { poolSize: 4 });
    return {
      a,
      b,
      async close() {
        await a.close();
        await b.close();
      },
    };
  };
  storeContract('PostgreSQL', open);
  promotionContract('PostgreSQL', open);
});
