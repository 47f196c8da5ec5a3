/**
 * Opens the checkout for a command, turning what can go wrong with the database into the
 * CLI's one error shape and exit 3 (I/O): a PostgreSQL server that does not answer or
 * refuses the login, and a schema newer than this wristpay (checkout/schema-version.ts).
 */
import { type Checkout, type CheckoutOptions, createCheckout } from '../checkout/checkout.ts';
import { CheckoutError } from '../checkout/core/errors.ts';
import { redactDbUrl } from '../checkout/open-store.ts';
import { SchemaTooNew } from '../checkout/schema-version.ts';
import { Status } from '../shared/status/codes.ts';
import { cliError, printError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

/** The checkout, or undefined after printing why not and setting the exit code. */
export async function openCheckout(
  options: CheckoutOptions & { db: string },
  io: { json: boolean; setExit: (code: number) => void },
): Promise<Checkout | undefined> {
  try {
    return await createCheckout(options);
  } catch (e) {
    const problem = databaseProblem(e, options.db);
    if (!problem) throw e;
    printError(process, io.json, problem);
    io.setExit(ExitCode.UNREACHABLE);
    return undefined;
  }
}

/**
 * What went wrong with opening `db`, in the CLI's one error shape; undefined for anything
 * else (a bug, which the CLI's last resort reports). Every `wristpay checkout` command that
 * opens a database reads its failures through here.
 */
export function databaseProblem(e: unknown, db: string): ReturnType<typeof cliError> | undefined {
  if (e instanceof SchemaTooNew)
    return cliError(Status.CONFLICT, e.message, 'upgrade this wristpay; migrations only go forward');
  const code = (e as { code?: string } | null)?.code;
  const shown = redactDbUrl(db);
  // The store's UNREACHABLE (checkout/postgres/unavailable.ts), with the driver's error as its cause.
  if (e instanceof CheckoutError && e.status === Status.UNREACHABLE) {
    const cause = e.cause as { code?: string; message?: string } | undefined;
    return cliError(
      Status.UNREACHABLE,
      `cannot reach the database at ${shown} (${cause?.code ?? cause?.message ?? 'no answer'})`,
      'is PostgreSQL running and listening there? check host, port and firewall',
    );
  }
  // PostgreSQL refused the login or the database (SQLSTATE class 28: authorization; 3D000: no such database).
  if (typeof code === 'string' && (code.startsWith('28') || code === '3D000'))
    return cliError(
      Status.UNAUTHORIZED,
      `the database at ${shown} refused the connection: ${(e as Error).message}`,
      'check the user, password and database name in the URL',
    );
  // better-sqlite3's refusals of the file itself: not a database, unreadable, locked, read-only.
  if (typeof code === 'string' && code.startsWith('SQLITE_'))
    return cliError(
      Status.UNREACHABLE,
      `${shown}: ${(e as Error).message} (${code})`,
      "is this the checkout's database file?",
    );
  return undefined;
}
