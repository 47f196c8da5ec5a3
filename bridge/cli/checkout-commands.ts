/**
 * `wristpay checkout …`: run the checkout service, and revoke a band from the checkout
 * host. A thin shell over sim/checkout (createCheckout, startCheckoutServer); results
 * become exit codes only here.
 */
import type { Command } from 'commander';
import { waitForSignal } from './signals.ts';
import { registerAccountCommand } from './checkout-account-command.ts';
import { describeStatus } from '../../shared/status/describe.ts';
import { WristpayError } from '../../shared/status/error.ts';
import { createCheckout } from '../../sim/checkout/checkout.ts';
import { startCheckoutServer } from '../../sim/checkout/http/server.ts';
import { Status } from '../../shared/status/codes.ts';
import { cliError, printError, usageError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';

interface StartOptions { db: string; port: string; host: string; publicUrl?: string; notifyAllow?: string; json?: boolean }
interface RevokeOptions { db: string; band: string; json?: boolean }

function parsePort(text: string): number | null {
  const n = Number(text);
  return /^[0-9]{1,5}$/.test(text) && n <= 65535 ? n : null;
}

function out(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write((json ? JSON.stringify(value) : text) + '\n');
}

export function register(program: Command, setExit: (code: number) => void): void {
  const group = program.command('checkout').description('Run the Alipay-style checkout service.');
  registerAccountCommand(group, setExit);

  group
    .command('start')
    .description('Serve the checkout API and pages until SIGINT/SIGTERM.')
    .option('--db <file>', 'SQLite file holding all checkout state (created if missing)', 'checkout.db')
    .option('--port <n>', 'TCP port (0 picks a free one)', '8420')
    .option('--host <addr>', 'address to listen on (loopback unless you mean otherwise)', '127.0.0.1')
    .option('--public-url <url>', 'URL terminals reach the checkout at (put in pairing QR codes)')
    .option('--notify-allow <list>', 'notification targets allowed although not public, for local development: host:port or CIDR, comma-separated')
    .option('--json', 'machine-readable output')
    .action(async (o: StartOptions) => {
      const port = parsePort(o.port);
      if (port === null) {
        printError(process, !!o.json, usageError(`--port must be 0..65535, not ${o.port}`, '0 picks a free port'));
        setExit(ExitCode.USAGE);
        return;
      }
      const allowHosts = (o.notifyAllow ?? '').split(',').map((x) => x.trim()).filter((x) => x.length > 0);
      const checkout = await createCheckout({ dbFile: o.db, config: { notify: { allowHosts } } });
      let server;
      try {
        server = await startCheckoutServer(checkout, { port, host: o.host, publicUrl: o.publicUrl });
      } catch (e) {
        await checkout.close();
        printError(process, !!o.json, cliError(Status.BUSY, `cannot listen on ${o.host}:${port}: ${e instanceof Error ? e.message : String(e)}`, 'is another checkout running on that port? pick another with --port (0: any free one)'));
        setExit(ExitCode.UNREACHABLE);
        return;
      }
      out(o.json, { event: 'listening', url: server.url, db: o.db }, `checkout listening on ${server.url} (state in ${o.db}); Ctrl-C stops it`);
      const signal = await waitForSignal();
      await server.close();
      await checkout.close();
      out(o.json, { event: 'stopped', signal }, `checkout stopped (${signal})`);
      setExit(ExitCode.OK);
    });

  group
    .command('revoke')
    .description('Turn off wrist payments for a band (lost band); it is wiped the next time any bridge sees it.')
    .requiredOption('--db <file>', 'the checkout\'s SQLite file')
    .requiredOption('--band <deviceId>', 'device id (32 hex digits, as shown on the dashboard)')
    .option('--json', 'machine-readable output')
    .action(async (o: RevokeOptions) => {
      const checkout = await createCheckout({ dbFile: o.db, notify: false });
      try {
        const band = await checkout.revokeBandById(o.band.toLowerCase());
        out(o.json, { ok: true, band }, `band ${band.deviceId} (${band.name}): wrist payments turned off`);
        setExit(ExitCode.OK);
      } catch (e) {
        if (!(e instanceof WristpayError)) throw e;
        printError(process, !!o.json, cliError(e.status, e.message, e.status === Status.NOT_FOUND ? 'the full 32-digit device id is on the owner\'s dashboard' : undefined), { human: `wristpay: ${describeStatus(e.status)} ${e.message}` });
        setExit(ExitCode.DECLINED);
      } finally {
        await checkout.close();
      }
    });
}
