/**
 * `wristpay checkout keys list|rotate|retire`: the checkout's key ring (PROTOCOL.md §8,
 * checkout/core/key-ring.ts), run against the checkout's database (SQLite or PostgreSQL). Bands take the new keys
 * over their existing link; every running instance must be restarted to use a new ring.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { type KeyView, listKeys, retireKeys, rotateKeys } from '../checkout/core/key-ring.ts';
import { isPostgresUrl, openStore } from '../checkout/open-store.ts';
import { databaseProblem } from './open-checkout.ts';
import type { CheckoutStore } from '../checkout/store.ts';
import { cliError, printError } from './cli-error.ts';
import { DB_FLAGS, DB_HELP, dbFrom } from './db-option.ts';
import { defaultProvider } from '../shared/crypto/default-provider.ts';
import { Status, statusName } from '../shared/status/codes.ts';
import { WristpayError } from '../shared/status/error.ts';
import { ExitCode } from './exit-codes.ts';

interface KeysOptions {
  db?: string;
  json?: boolean;
  force?: boolean;
}

const RESTART = 'restart every checkout instance on this database for it to take effect';

function line(k: KeyView): string {
  const retired = k.retiredAt ? `  retired ${k.retiredAt}` : '';
  return `${String(k.id).padStart(3)}  ${k.state.padEnd(8)}  ${k.keyId ?? '-'.padEnd(32)}  created ${k.createdAt}${retired}  bands ${k.bands}`;
}

async function run(
  o: KeysOptions,
  setExit: (code: number) => void,
  work: (store: CheckoutStore) => Promise<{ value: unknown; text: string }>,
): Promise<void> {
  const db = dbFrom(o, 'checkout.db') as string;
  // Never a fresh database with a fresh key 1 for a mistyped path.
  if (!isPostgresUrl(db) && !existsSync(db)) {
    printError(process, !!o.json, cliError(Status.NOT_FOUND, `no checkout database at ${db}`));
    setExit(ExitCode.UNREACHABLE);
    return;
  }
  let store: CheckoutStore;
  try {
    store = await openStore(db);
  } catch (e) {
    const problem = databaseProblem(e, db);
    if (!problem) throw e;
    printError(process, !!o.json, problem);
    setExit(ExitCode.UNREACHABLE);
    return;
  }
  try {
    const r = await work(store);
    process.stdout.write((o.json ? JSON.stringify({ ok: true, ...(r.value as object) }) : r.text) + '\n');
    setExit(ExitCode.OK);
  } catch (e) {
    if (!(e instanceof WristpayError)) throw e;
    const message = e.message;
    process.stderr.write(`wristpay: ${message}\n`);
    if (o.json)
      process.stdout.write(
        JSON.stringify({ ok: false, error: { status: e.status, name: statusName(e.status), message } }) + '\n',
      );
    setExit(ExitCode.DECLINED);
  } finally {
    await store.close();
  }
}

export function registerKeysCommands(group: Command, setExit: (code: number) => void): void {
  const keys = group.command('keys').description("The checkout's signing and HPKE keys: list, rotate, retire.");
  const provider = defaultProvider();
  keys
    .command('list')
    .description('Each key pair: id, state, key id, created, and how many active bands hold it.')
    .option(DB_FLAGS, `${DB_HELP}, else checkout.db)`)
    .option('--json', 'machine-readable output')
    .action((o: KeysOptions) =>
      run(o, setExit, async (store) => {
        const list = await listKeys(store, provider);
        return { value: { keys: list }, text: list.map(line).join('\n') };
      }),
    );
  keys
    .command('rotate')
    .description('Make a new active key pair; bands take it over their link as they are used.')
    .option(DB_FLAGS, `${DB_HELP}, else checkout.db)`)
    .option('--json', 'machine-readable output')
    .action((o: KeysOptions) =>
      run(o, setExit, async (store) => {
        const k = await rotateKeys(store, provider, Date.now());
        return { value: { key: k }, text: `key ${k.id} (${k.keyId}) is active; ${RESTART}` };
      }),
    );
  keys
    .command('retire')
    .description('Erase the previous key pair once every active band holds the active one.')
    .option(DB_FLAGS, `${DB_HELP}, else checkout.db)`)
    .option('--force', 'retire even though bands still hold it (they can then neither pay nor be reached)')
    .option('--json', 'machine-readable output')
    .action((o: KeysOptions) =>
      run(o, setExit, async (store) => {
        const r = await retireKeys(store, provider, Date.now(), o.force === true);
        const stranded = r.stranded > 0 ? `; ${r.stranded} band(s) still on it can no longer pay` : '';
        return { value: r, text: `key ${r.retired.id} retired${stranded}; ${RESTART}` };
      }),
    );
}
