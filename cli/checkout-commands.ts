/**
 * `wristpay checkout …`: run the checkout service, and revoke a band from the checkout
 * host. A thin shell over checkout (createCheckout, startCheckoutServer); results
 * become exit codes only here.
 */
import type { Command } from 'commander';
import { waitForSignal } from './signals.ts';
import { registerAccountCommand } from './checkout-account-command.ts';
import { describeStatus } from '../shared/status/describe.ts';
import { WristpayError } from '../shared/status/error.ts';
import { createCheckout } from '../checkout/checkout.ts';
import { startCheckoutServer } from '../checkout/http/server.ts';
import { Status } from '../shared/status/codes.ts';
import { cliError, printError, usageError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { registerBackupCommands } from './checkout-backup-commands.ts';
import { registerKeysCommands } from './checkout-keys-commands.ts';
import { LOG_LEVELS, type LogLevel } from '../checkout/http/request-log.ts';
import { Spinner } from './spinner.ts';
import { GROUP_SUMMARY } from './summaries.ts';

/** Of --shutdown-timeout, the share requests in flight get; the rest is for closing the store. */
const DRAIN_SHARE = 0.9;

interface StartOptions {
  db: string;
  port: string;
  host: string;
  publicUrl?: string;
  notifyAllow?: string;
  json?: boolean;
  logLevel: string;
  metricsPort?: string;
  shutdownTimeout: string;
}
interface RevokeOptions {
  db: string;
  band: string;
  json?: boolean;
}

function parsePort(text: string): number | null {
  const n = Number(text);
  return /^[0-9]{1,5}$/.test(text) && n <= 65535 ? n : null;
}

function out(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write((json ? JSON.stringify(value) : text) + '\n');
}

export function register(program: Command, setExit: (code: number) => void): void {
  const group = program.command('checkout').description(GROUP_SUMMARY.checkout);
  registerAccountCommand(group, setExit);
  registerBackupCommands(group, setExit);
  registerKeysCommands(group, setExit);

  group
    .command('start')
    .description('Serve the checkout API and pages until SIGINT/SIGTERM.')
    .option('--db <file>', 'SQLite file holding all checkout state (created if missing)', 'checkout.db')
    .option('--port <n>', 'TCP port (0 picks a free one)', '8420')
    .option('--host <addr>', 'address to listen on (loopback unless you mean otherwise)', '127.0.0.1')
    .option('--public-url <url>', 'URL terminals reach the checkout at (put in pairing QR codes)')
    .option(
      '--notify-allow <list>',
      'notification targets allowed although not public, for local development: host:port or CIDR, comma-separated',
    )
    .option('--json', 'machine-readable output')
    .option('--log-level <level>', `JSON log lines on stderr at this level and above: ${LOG_LEVELS.join(', ')}`, 'info')
    .option('--metrics-port <n>', 'serve GET /metrics on this port instead of the main one')
    .option('--shutdown-timeout <seconds>', 'on SIGTERM/SIGINT, how long requests in flight may take to finish', '10')
    .action(async (o: StartOptions) => {
      const port = parsePort(o.port);
      const metricsPort = o.metricsPort === undefined ? undefined : parsePort(o.metricsPort);
      const timeoutS = Number(o.shutdownTimeout);
      const usage =
        port === null
          ? `--port must be 0..65535, not ${o.port}`
          : metricsPort === null
            ? `--metrics-port must be 0..65535, not ${o.metricsPort}`
            : !(LOG_LEVELS as readonly string[]).includes(o.logLevel)
              ? `--log-level must be one of ${LOG_LEVELS.join(', ')}`
              : !(timeoutS > 0 && timeoutS <= 3600)
                ? `--shutdown-timeout must be more than 0 and at most 3600 seconds, not ${o.shutdownTimeout}`
                : null;
      if (usage !== null || port === null || metricsPort === null) {
        printError(process, !!o.json, usageError(usage ?? '', port === null ? '0 picks a free port' : undefined));
        setExit(ExitCode.USAGE);
        return;
      }
      const allowHosts = (o.notifyAllow ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0);
      // Opening the database (and making the checkout's keys the first time) takes a moment;
      // the spinner is gone before the server's own log lines (stderr) begin.
      const spinner = new Spinner(process.stderr, !!o.json, process.stdout);
      spinner.start(`Opening ${o.db}…`);
      const checkout = await createCheckout({ dbFile: o.db, config: { notify: { allowHosts } } }).finally(() =>
        spinner.stop(),
      );
      let server;
      try {
        server = await startCheckoutServer(checkout, {
          port,
          host: o.host,
          publicUrl: o.publicUrl,
          logLevel: o.logLevel as LogLevel,
          metricsPort,
        });
      } catch (e) {
        await checkout.close();
        printError(
          process,
          !!o.json,
          cliError(
            Status.BUSY,
            `cannot listen on ${o.host}:${port}: ${e instanceof Error ? e.message : String(e)}`,
            'is another checkout running on that port? pick another with --port (0: any free one)',
          ),
        );
        setExit(ExitCode.UNREACHABLE);
        return;
      }
      // Listening for the signal before saying so: a script that reads the line and signals at once
      // must get the graceful stop, not Node's default (killed).
      const stopped = waitForSignal();
      out(
        o.json,
        { event: 'listening', url: server.url, db: o.db, metricsUrl: server.metricsUrl },
        `checkout listening on ${server.url} (state in ${o.db}); Ctrl-C stops it`,
      );
      const signal = await stopped;
      // Graceful: in-flight requests finish within the deadline, then the ledger's group
      // commit drains and the database closes (its WAL checkpointed). A second signal
      // meets Node's default handler and ends the process at once.
      const deadline = setTimeout(() => {
        process.stderr.write('wristpay: shutdown deadline passed, exiting\n');
        process.exit(ExitCode.UNREACHABLE);
      }, timeoutS * 1000);
      deadline.unref();
      const { forced } = await server.shutdown(timeoutS * 1000 * DRAIN_SHARE);
      await checkout.close();
      clearTimeout(deadline);
      out(
        o.json,
        { event: 'stopped', signal, forced },
        `checkout stopped (${signal})${forced ? `; ${forced} requests were cut at the deadline` : ''}`,
      );
      setExit(forced ? ExitCode.UNREACHABLE : ExitCode.OK);
    });

  group
    .command('revoke')
    .description('Turn off wrist payments for a band (lost band); it is wiped the next time any bridge sees it.')
    .requiredOption('--db <file>', "the checkout's SQLite file")
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
        printError(
          process,
          !!o.json,
          cliError(
            e.status,
            e.message,
            e.status === Status.NOT_FOUND ? "the full 32-digit device id is on the owner's dashboard" : undefined,
          ),
          { human: `wristpay: ${describeStatus(e.status)} ${e.message}` },
        );
        setExit(ExitCode.DECLINED);
      } finally {
        await checkout.close();
      }
    });
}
