/**
 * `wristpay checkout …`: run the checkout service, and revoke a band from the checkout
 * host. A thin shell over checkout (createCheckout, startCheckoutServer); results
 * become exit codes only here.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { registerAccountCommand } from './checkout-account-command.ts';
import { describeStatus } from '../shared/status/describe.ts';
import { WristpayError } from '../shared/status/error.ts';
import { Status } from '../shared/status/codes.ts';
import { cliError, printError, usageError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import { registerBackupCommands } from './checkout-backup-commands.ts';
import { registerKeysCommands } from './checkout-keys-commands.ts';
import { registerDbCommands } from './checkout-db-commands.ts';
import { LOG_LEVELS, type LogLevel } from '../checkout/http/request-log.ts';
import { LOOPBACK_PROXY, type ProxyTrust, parseTrustProxy } from '../checkout/http/proxy-trust.ts';
import { type TlsFiles, TlsSetupError, loadTls } from '../checkout/http/tls.ts';
import { runPrimary } from './checkout-primary.ts';
import { type ServeSettings, out, serveCheckout } from './checkout-serve.ts';
import { leaveCluster } from './checkout-worker.ts';
import { DB_FLAGS, DB_HELP, NO_DB, dbFrom, dbOption } from './db-option.ts';
import { openCheckout } from './open-checkout.ts';
import { isPostgresUrl } from '../checkout/open-store.ts';
import { type Promotion, PromotionFileError } from '../checkout/core/promotion-file.ts';
import { loadPromotions } from '../checkout/promotions.ts';
import { GROUP_SUMMARY } from './summaries.ts';

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
  workers?: string;
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

/** However many cores: each worker holds its own database connections (--db-pool each on PostgreSQL). */
const MAX_WORKERS = 256;

/**
 * --workers, else WRISTPAY_WORKERS, else one per core (os.availableParallelism: what this
 * process may use, cgroup limits included); or a usage message. At most four per core:
 * more only adds contention for the database's write lock and memory.
 */
/**
 * --workers, else WRISTPAY_WORKERS, else by store: one per core on PostgreSQL, one on a SQLite
 * file. SQLite takes one writer at a time, so a second process on one file only waits for its
 * lock (measured: 0.69× one process, BENCHMARKS.md "Scale out"); PostgreSQL's commits run side
 * by side.
 */
function workersFrom(given: string | undefined, db: string): number | string {
  const cores = availableParallelism();
  const env = process.env.WRISTPAY_WORKERS;
  const fallback = isPostgresUrl(db) ? cores : 1;
  const text = given ?? (env !== undefined && env !== '' ? env : String(fallback));
  const n = Number(text);
  const most = Math.min(MAX_WORKERS, Math.max(4, cores * 4));
  if (/^[0-9]+$/.test(text) && n >= 1 && n <= most) return n;
  return `--workers${given === undefined ? ' (WRISTPAY_WORKERS)' : ''} must be a whole number from 1 to ${most} (4 per core, at most ${MAX_WORKERS}), not ${text}`;
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
    .option(
      '--workers <n>',
      'processes serving the checkout on one port, sharing the database (default: $WRISTPAY_WORKERS, else one per core on PostgreSQL and one on a SQLite file); 1: a single process',
    )
    .action(async (o: StartOptions) => {
      const port = parsePort(o.port);
      const metricsPort = o.metricsPort === undefined ? undefined : parsePort(o.metricsPort);
      const timeoutS = Number(o.shutdownTimeout);
      const trust = trustFrom(o);
      const db = dbFrom(o, 'checkout.db') as string;
      const poolSize = Number(o.dbPool);
      const workers = workersFrom(o.workers, db);
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
                      : typeof workers === 'string'
                        ? workers
                        : null;
      if (
        usage !== null ||
        port === null ||
        metricsPort === null ||
        typeof trust === 'string' ||
        typeof workers === 'string'
      ) {
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
      const settings: ServeSettings = {
        db,
        poolSize,
        allowHosts,
        promotions,
        server: {
          port,
          host: o.host,
          publicUrl: o.publicUrl,
          logLevel: o.logLevel as LogLevel,
          metricsPort,
          trustProxy: trust,
        },
        shutdownTimeoutS: timeoutS,
        tls,
        tlsFiles: o.tlsCert !== undefined && o.tlsKey !== undefined ? { cert: o.tlsCert, key: o.tlsKey } : undefined,
        json: !!o.json,
      };
      if (workers > 1 && cluster.isPrimary) {
        setExit(await runPrimary(settings, workers, o.logLevel as LogLevel));
        return;
      }
      await serveCheckout(settings, setExit).finally(() => (cluster.isWorker ? leaveCluster() : undefined));
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
