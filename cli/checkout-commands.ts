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
import { type RunningServer, startCheckoutServer } from '../checkout/http/server.ts';
import { Status } from '../shared/status/codes.ts';
import { cliError, printError, usageError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { registerBackupCommands } from './checkout-backup-commands.ts';
import { registerKeysCommands } from './checkout-keys-commands.ts';
import { registerDbCommands } from './checkout-db-commands.ts';
import { LOG_LEVELS, type LogLevel } from '../checkout/http/request-log.ts';
import { LOOPBACK_PROXY, type ProxyTrust, parseTrustProxy } from '../checkout/http/proxy-trust.ts';
import { type TlsFiles, TlsSetupError, loadTls } from '../checkout/http/tls.ts';
import { redactDbUrl } from '../checkout/open-store.ts';
import { Spinner } from './spinner.ts';
import { DB_FLAGS, DB_HELP, NO_DB, dbFrom, dbOption } from './db-option.ts';
import { openCheckout } from './open-checkout.ts';
import { type Promotion, PromotionFileError } from '../checkout/core/promotion-file.ts';
import { loadPromotions } from '../checkout/promotions.ts';
import { GROUP_SUMMARY } from './summaries.ts';

/** Of --shutdown-timeout, the share requests in flight get; the rest is for closing the store. */
const DRAIN_SHARE = 0.9;

interface StartOptions {
  db?: string;
  dbPool: string;
  port: string;
  host: string;
  publicUrl?: string;
  promotions?: string;
  notifyAllow?: string;
  json?: boolean;
  logLevel: string;
  metricsPort?: string;
  shutdownTimeout: string;
  tlsCert?: string;
  tlsKey?: string;
  trustProxy?: string | true;
}
interface RevokeOptions {
  db?: string;
  band: string;
  json?: boolean;
}

function parsePort(text: string): number | null {
  const n = Number(text);
  return /^[0-9]{1,5}$/.test(text) && n <= 65535 ? n : null;
}

/** --trust-proxy as a list, or a usage message. The bare flag means a proxy on this host. */
function trustFrom(o: StartOptions): ProxyTrust | string | undefined {
  if (o.trustProxy === undefined) return undefined;
  if (o.publicUrl === undefined)
    return "--trust-proxy needs --public-url: the address clients use is the proxy's, which the checkout cannot know";
  try {
    return parseTrustProxy(o.trustProxy === true ? LOOPBACK_PROXY : o.trustProxy);
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * SIGHUP with --tls-cert: read both files again and serve new connections with them (a renewed
 * certificate, e.g. from a certbot deploy hook, without a restart). A bad pair is reported and
 * the one in use stays.
 */
function reloadCertificate(o: StartOptions, server: RunningServer, json: boolean): void {
  try {
    const tls = loadTls(o.tlsCert as string, o.tlsKey as string);
    server.reloadTls(tls);
    out(
      json,
      { event: 'certificate-reloaded', certExpires: tls.validTo.toISOString() },
      `certificate reloaded, valid until ${tls.validTo.toISOString().slice(0, 10)}`,
    );
  } catch (e) {
    if (!(e instanceof TlsSetupError)) throw e;
    printError(
      process,
      json,
      cliError(Status.INVALID_KEY, e.message, 'the certificate in use stays; fix the files and send SIGHUP again'),
    );
  }
}

function out(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write((json ? JSON.stringify(value) : text) + '\n');
}

export function register(program: Command, setExit: (code: number) => void): void {
  const group = program.command('checkout').description(GROUP_SUMMARY.checkout);
  registerAccountCommand(group, setExit);
  registerBackupCommands(group, setExit);
  registerKeysCommands(group, setExit);
  registerDbCommands(group, setExit);

  dbOption(
    group.command('start').description('Serve the checkout API and pages until SIGINT/SIGTERM.'),
    'checkout.db (created if missing)',
  )
    .option('--db-pool <n>', 'PostgreSQL: connections this process keeps at most', '10')
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
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain); needs --tls-key')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option(
      '--trust-proxy [list]',
      'behind a reverse proxy: believe X-Forwarded-For/-Proto from these addresses or CIDRs, comma-separated (bare: loopback); needs --public-url',
    )
    .option('--promotions <file>', "the banks' and transit operators' promotions (JSON; default: the shipped file)")
    .action(async (o: StartOptions) => {
      const port = parsePort(o.port);
      const metricsPort = o.metricsPort === undefined ? undefined : parsePort(o.metricsPort);
      const timeoutS = Number(o.shutdownTimeout);
      const trust = trustFrom(o);
      const db = dbFrom(o, 'checkout.db') as string;
      const poolSize = Number(o.dbPool);
      const usage =
        port === null
          ? `--port must be 0..65535, not ${o.port}`
          : metricsPort === null
            ? `--metrics-port must be 0..65535, not ${o.metricsPort}`
            : !(LOG_LEVELS as readonly string[]).includes(o.logLevel)
              ? `--log-level must be one of ${LOG_LEVELS.join(', ')}`
              : !(timeoutS > 0 && timeoutS <= 3600)
                ? `--shutdown-timeout must be more than 0 and at most 3600 seconds, not ${o.shutdownTimeout}`
                : (o.tlsCert === undefined) !== (o.tlsKey === undefined)
                  ? '--tls-cert and --tls-key go together: both for HTTPS, neither for HTTP'
                  : typeof trust === 'string'
                    ? trust
                    : !(Number.isInteger(poolSize) && poolSize >= 1 && poolSize <= 1000)
                      ? `--db-pool must be a whole number from 1 to 1000, not ${o.dbPool}`
                      : null;
      if (usage !== null || port === null || metricsPort === null || typeof trust === 'string') {
        printError(process, !!o.json, usageError(usage ?? '', port === null ? '0 picks a free port' : undefined));
        setExit(ExitCode.USAGE);
        return;
      }
      const allowHosts = (o.notifyAllow ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x.length > 0);
      let tls: TlsFiles | undefined;
      try {
        if (o.tlsCert !== undefined && o.tlsKey !== undefined) tls = loadTls(o.tlsCert, o.tlsKey);
      } catch (e) {
        if (!(e instanceof TlsSetupError)) throw e;
        printError(
          process,
          !!o.json,
          cliError(Status.INVALID_KEY, e.message, 'PEM files: the certificate (chain, leaf first) and its private key'),
        );
        setExit(ExitCode.UNREACHABLE);
        return;
      }
      // Checked whole before anything opens: a bad entry is named and nothing starts.
      let promotions: Promotion[];
      try {
        promotions = loadPromotions(o.promotions);
      } catch (e) {
        // A bad entry, or a file that cannot be read (ENOENT, EACCES): anything else is a bug.
        const unreadable = typeof (e as { code?: unknown }).code === 'string';
        if (!(e instanceof PromotionFileError) && !unreadable) throw e;
        printError(
          process,
          !!o.json,
          usageError((e as Error).message, 'fix the entry named, or start without --promotions'),
        );
        setExit(ExitCode.USAGE);
        return;
      }
      // Opening the database (and making the checkout's keys the first time) takes a moment;
      // the spinner is gone before the server's own log lines (stderr) begin.
      const spinner = new Spinner(process.stderr, !!o.json, process.stdout);
      const shown = redactDbUrl(db);
      spinner.start(`Opening ${shown}…`);
      const checkout = await openCheckout(
        { db, dbPoolSize: poolSize, config: { notify: { allowHosts } }, promotions },
        { json: !!o.json, setExit },
      ).finally(() => spinner.stop());
      if (!checkout) return;
      let server;
      try {
        server = await startCheckoutServer(checkout, {
          port,
          host: o.host,
          publicUrl: o.publicUrl,
          logLevel: o.logLevel as LogLevel,
          metricsPort,
          tls,
          trustProxy: trust,
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
      const reload = (): void => reloadCertificate(o, server, !!o.json);
      if (tls) process.on('SIGHUP', reload);
      out(
        o.json,
        {
          event: 'listening',
          url: server.url,
          db: shown,
          metricsUrl: server.metricsUrl,
          ...(tls ? { certExpires: tls.validTo.toISOString() } : {}),
        },
        `checkout listening on ${server.url} (state in ${shown}${tls ? `; certificate valid until ${tls.validTo.toISOString().slice(0, 10)}` : ''}); Ctrl-C stops it`,
      );
      const signal = await stopped;
      process.off('SIGHUP', reload);
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
    .option(DB_FLAGS, `${DB_HELP})`)
    .requiredOption('--band <deviceId>', 'device id (32 hex digits, as shown on the dashboard)')
    .option('--json', 'machine-readable output')
    .action(async (o: RevokeOptions) => {
      const db = dbFrom(o);
      if (db === undefined) {
        printError(process, !!o.json, usageError(NO_DB));
        setExit(ExitCode.USAGE);
        return;
      }
      const checkout = await openCheckout({ db, notify: false }, { json: !!o.json, setExit });
      if (!checkout) return;
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
