/**
 * `wristpay checkout account add`: create an owner or merchant account in a checkout's
 * database, so the README's walk-throughs can start from nothing. Passwords are prompted
 * without echo, or read from stdin (one per line) with --password-stdin.
 */
import { Command } from 'commander';
import { createCheckout } from '../../sim/checkout/checkout.ts';
import { ExitCode } from './exit-codes.ts';
import { readSecret } from './secret-input.ts';

interface AccountOptions {
  db: string;
  user: string;
  merchant?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

async function secrets(o: AccountOptions): Promise<{ password: string; paymentPassword?: string } | null> {
  if (o.passwordStdin) {
    // Both lines at once: a chunk may carry more than one line.
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    const [password = '', paymentPassword = ''] = text.split(/\r?\n/);
    return { password, paymentPassword: o.merchant ? undefined : paymentPassword };
  }
  if (!process.stdin.isTTY) return null;
  const password = await readSecret(process.stdin, process.stderr, `Password for ${o.user}: `);
  if (password === null) return null;
  if (o.merchant) return { password };
  const paymentPassword = await readSecret(process.stdin, process.stderr, 'Six-digit payment password (the fallback when no band can sign): ');
  return paymentPassword === null ? null : { password, paymentPassword };
}

export function registerAccountCommand(group: Command, setExit: (code: number) => void): void {
  group
    .command('account')
    .description('Accounts in a checkout database.')
    .command('add')
    .description('Create an owner account (or a merchant with --merchant NAME).')
    .requiredOption('--db <file>', "the checkout's SQLite file")
    .requiredOption('--user <name>', 'login name (3-64 of A-Z a-z 0-9 . _ @ -)')
    .option('--merchant <displayName>', 'create a merchant account shown to payers under this name')
    .option('--password-stdin', 'read the password (and, for owners, the payment password) from stdin, one per line')
    .option('--json', 'machine-readable output')
    .action(async (o: AccountOptions) => {
      const s = await secrets(o);
      if (s === null) {
        process.stderr.write('wristpay: no password given (use a terminal, or --password-stdin)\n');
        setExit(ExitCode.USAGE);
        return;
      }
      const checkout = await createCheckout({ dbFile: o.db, notify: false });
      try {
        const account = await checkout.register({
          username: o.user, password: s.password, paymentPassword: s.paymentPassword,
          kind: o.merchant ? 'merchant' : 'owner', displayName: o.merchant,
        });
        process.stdout.write((o.json ? JSON.stringify({ account }) : `created ${account.kind} account ${account.username}`) + '\n');
        setExit(ExitCode.OK);
      } catch (e) {
        const status = (e as { status?: number }).status;
        process.stderr.write(`wristpay: ${e instanceof Error ? e.message : String(e)}\n`);
        setExit(status === undefined ? ExitCode.UNREACHABLE : ExitCode.DECLINED);
      } finally {
        await checkout.close();
      }
    });
}
