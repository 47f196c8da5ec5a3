/**
 * `wristpay checkout account add`: create an owner or merchant account in a checkout's
 * database, so the README's walk-throughs can start from nothing. On a terminal each
 * password is checked as soon as it is typed and then typed again (3 tries, as passwd(1));
 * with --password-stdin (one per line) nothing is asked again: a bad one is a usage error.
 */
import type { Command } from 'commander';
import { Status } from '../shared/status/codes.ts';
import { WristpayError } from '../shared/status/error.ts';
import { cliError, printError, usageError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { askNewSecret } from './secret-input.ts';
import { DB_FLAGS, DB_HELP, NO_DB, dbFrom } from './db-option.ts';
import { openCheckout } from './open-checkout.ts';

interface AccountOptions {
  db?: string;
  user: string;
  merchant?: string;
  category?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

interface Secrets {
  password: string;
  paymentPassword?: string;
}

/** The checkout's own rules (checkout/core/accounts.ts), said before it is asked. */
const passwordProblem = (v: string): string | null =>
  v.length < 8 || v.length > 128 ? 'the password must be 8 to 128 characters' : null;
const paymentPasswordProblem = (v: string): string | null =>
  /^[0-9]{6}$/.test(v) ? null : 'the payment password must be six digits';

async function fromStdin(o: AccountOptions): Promise<Secrets | string> {
  // Both lines at once: a chunk may carry more than one line.
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const [password = '', paymentPassword = ''] = text.split(/\r?\n/);
  const bad = passwordProblem(password) ?? (o.merchant ? null : paymentPasswordProblem(paymentPassword));
  if (bad)
    return `${bad} (--password-stdin: the password on the first line${o.merchant ? '' : ', the payment password on the second'})`;
  return { password, paymentPassword: o.merchant ? undefined : paymentPassword };
}

async function fromTerminal(o: AccountOptions): Promise<Secrets | null> {
  const { stdin, stderr } = process;
  const password = await askNewSecret(stdin, stderr, {
    prompt: `Password for ${o.user} (8 to 128 characters): `,
    confirm: 'Type it again: ',
    problem: passwordProblem,
  });
  if (password === null || o.merchant) return password === null ? null : { password };
  const paymentPassword = await askNewSecret(stdin, stderr, {
    prompt: 'Six-digit payment password (the fallback when no band can sign): ',
    confirm: 'Type it again: ',
    problem: paymentPasswordProblem,
  });
  return paymentPassword === null ? null : { password, paymentPassword };
}

export function registerAccountCommand(group: Command, setExit: (code: number) => void): void {
  group
    .command('account')
    .description('Accounts in a checkout database.')
    .command('add')
    .description('Create an owner account (or a merchant with --merchant NAME).')
    .option(DB_FLAGS, `${DB_HELP}; a SQLite file is created if missing, mode 0600)`)
    .requiredOption('--user <name>', 'login name (3-64 of A-Z a-z 0-9 . _ @ -)')
    .option('--merchant <displayName>', 'create a merchant account shown to payers under this name')
    .option('--category <category>', "a merchant's kind of shop, for category promotions (dining, grocery, retail, …)")
    .option('--password-stdin', 'read the password (and, for owners, the payment password) from stdin, one per line')
    .option('--json', 'machine-readable output')
    .action(async (o: AccountOptions) => {
      const json = o.json === true;
      const usage = (message: string, hint?: string): void => {
        printError(process, json, usageError(message, hint));
        setExit(ExitCode.USAGE);
      };
      const db = dbFrom(o);
      if (db === undefined) return usage(NO_DB);
      if (!/^[A-Za-z0-9._@-]{3,64}$/.test(o.user))
        return usage(`--user must be 3 to 64 of A-Z a-z 0-9 . _ @ -, not ${o.user}`);
      let s: Secrets | string | null;
      if (o.passwordStdin) s = await fromStdin(o);
      else if (!process.stdin.isTTY)
        return usage(
          'no password given: stdin is not a terminal',
          'pipe the password in with --password-stdin (owners: the payment password on the second line)',
        );
      else s = await fromTerminal(o);
      if (s === null) return usage('no password set (three tries, or cancelled)');
      if (typeof s === 'string') return usage(s);
      const checkout = await openCheckout({ db, notify: false }, { json, setExit });
      if (!checkout) return;
      try {
        const account = await checkout.register({
          username: o.user,
          password: s.password,
          paymentPassword: s.paymentPassword,
          kind: o.merchant ? 'merchant' : 'owner',
          displayName: o.merchant,
          category: o.category,
        });
        process.stdout.write(
          (json ? JSON.stringify({ ok: true, account }) : `created ${account.kind} account ${account.username}`) + '\n',
        );
        setExit(ExitCode.OK);
      } catch (e) {
        if (!(e instanceof WristpayError)) throw e;
        const hint = /username is taken/.test(e.message)
          ? 'choose another --user'
          : /merchant already shows/.test(e.message)
            ? 'choose another --merchant name'
            : undefined;
        printError(process, json, cliError(e.status, e.message, hint));
        setExit(e.status === Status.MALFORMED ? ExitCode.USAGE : ExitCode.DECLINED);
      } finally {
        await checkout.close();
      }
    });
}
