/**
 * `wristpay checkout start` once its options are checked: open the checkout, serve it until
 * SIGINT/SIGTERM, stop gracefully. The same code runs as the single process (--workers 1)
 * and in each worker of a cluster (checkout-primary.ts); a worker differs only in what it
 * tells whom: its "listening" and "stopped" go to the primary (which prints one line for
 * the service), it stops when the primary says so, and its /metrics describes the whole
 * cluster (checkout/cluster-metrics.ts).
 */
import cluster from 'node:cluster';
import { type RunningServer, type ServerOptions, startCheckoutServer } from '../checkout/http/server.ts';
import { joinClusterMetrics } from '../checkout/cluster-metrics.ts';
import { type TlsFiles, TlsSetupError, loadTls } from '../checkout/http/tls.ts';
import { redactDbUrl } from '../checkout/open-store.ts';
import { Status } from '../shared/status/codes.ts';
import { cliError, printError } from './cli-error.ts';
import { ExitCode } from './exit-codes.ts';
import type { Promotion } from '../checkout/core/promotion-file.ts';
import { openCheckout } from './open-checkout.ts';
import { waitForSignal } from './signals.ts';
import { Spinner } from './spinner.ts';
import { tellPrimary, waitForPrimaryStop } from './checkout-worker.ts';

/** Of --shutdown-timeout, the share requests in flight get; the rest is for closing the store. */
const DRAIN_SHARE = 0.9;

export interface ServeSettings {
  db: string;
  poolSize: number;
  allowHosts: string[];
  /** The banks' and transit operators' promotions, checked whole at the start (--promotions). */
  promotions: Promotion[];
  server: ServerOptions & { port: number; host: string };
  shutdownTimeoutS: number;
  tls?: TlsFiles;
  tlsFiles?: { cert: string; key: string };
  json: boolean;
}

export function out(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write((json ? JSON.stringify(value) : text) + '\n');
}

/**
 * SIGHUP with --tls-cert: read both files again and serve new connections with them (a renewed
 * certificate, e.g. from a certbot deploy hook, without a restart). A bad pair is reported and
 * the one in use stays.
 */
function reloadCertificate(files: { cert: string; key: string }, server: RunningServer, json: boolean): void {
  try {
    const tls = loadTls(files.cert, files.key);
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

export async function serveCheckout(s: ServeSettings, setExit: (code: number) => void): Promise<void> {
  const worker = cluster.isWorker;
  // Listening for the stop before anything slow: a stop that comes while the store opens is kept.
  const stopped = worker ? waitForPrimaryStop() : undefined;
  // Opening the database (and making the checkout's keys the first time) takes a moment;
  // the spinner is gone before the server's own log lines (stderr) begin. Workers open a
  // store the primary has already migrated, and have no terminal of their own.
  const spinner = new Spinner(process.stderr, s.json || worker, process.stdout);
  const shown = redactDbUrl(s.db);
  spinner.start(`Opening ${shown}…`);
  const checkout = await openCheckout(
    { db: s.db, dbPoolSize: s.poolSize, config: { notify: { allowHosts: s.allowHosts } }, promotions: s.promotions },
    { json: s.json, setExit },
  ).finally(() => spinner.stop());
  if (!checkout) return;
  if (worker) joinClusterMetrics(checkout.metrics);
  let server: RunningServer;
  try {
    server = await startCheckoutServer(checkout, { ...s.server, tls: s.tls });
  } catch (e) {
    await checkout.close();
    printError(
      process,
      s.json,
      cliError(
        Status.BUSY,
        `cannot listen on ${s.server.host}:${s.server.port}: ${e instanceof Error ? e.message : String(e)}`,
        'is another checkout running on that port? pick another with --port (0: any free one)',
      ),
    );
    setExit(ExitCode.UNREACHABLE);
    return;
  }
  // Listening for the signal before saying so: a script that reads the line and signals at once
  // must get the graceful stop, not Node's default (killed).
  const signalled = stopped ?? waitForSignal();
  const files = s.tlsFiles;
  const reload = (): void => {
    if (files) reloadCertificate(files, server, s.json);
  };
  if (files) process.on('SIGHUP', reload);
  const certExpires = s.tls?.validTo.toISOString();
  if (worker) tellPrimary({ type: 'listening', url: server.url, metricsUrl: server.metricsUrl });
  else
    out(
      s.json,
      {
        event: 'listening',
        url: server.url,
        db: shown,
        metricsUrl: server.metricsUrl,
        ...(certExpires ? { certExpires } : {}),
      },
      `checkout listening on ${server.url} (state in ${shown}${certExpires ? `; certificate valid until ${certExpires.slice(0, 10)}` : ''}); Ctrl-C stops it`,
    );
  const signal = await signalled;
  process.off('SIGHUP', reload);
  // Graceful: in-flight requests finish within the deadline, then the ledger's group
  // commit drains and the database closes (its WAL checkpointed). A second signal
  // meets Node's default handler and ends the process at once.
  const deadline = setTimeout(() => {
    process.stderr.write('wristpay: shutdown deadline passed, exiting\n');
    process.exit(ExitCode.UNREACHABLE);
  }, s.shutdownTimeoutS * 1000);
  deadline.unref();
  const { forced } = await server.shutdown(s.shutdownTimeoutS * 1000 * DRAIN_SHARE);
  await checkout.close();
  clearTimeout(deadline);
  if (worker) tellPrimary({ type: 'stopped', forced });
  else
    out(
      s.json,
      { event: 'stopped', signal, forced },
      `checkout stopped (${signal})${forced ? `; ${forced} requests were cut at the deadline` : ''}`,
    );
  setExit(forced ? ExitCode.UNREACHABLE : ExitCode.OK);
}
