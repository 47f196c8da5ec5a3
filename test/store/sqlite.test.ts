/** The store contract on SQLite: two connections to one file in a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../checkout/sqlite/store.ts';
import { storeContract } from './contract.ts';
import { promotionContract } from './promotion-contract.ts';

async function open() {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-contract-'));
  const file = join(dir, 'checkout.db');
  const a = openSqliteStore(file);
  const b = openSqliteStore(file);
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

storeContract('SQLite', open);
promotionContract('SQLite', open);
