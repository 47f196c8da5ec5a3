/**
 * `wristpay checkout start --workers N` (N > 1): the primary of a node:cluster. It serves no
 * request itself; its workers (each the single-process checkout of checkout-serve.ts) share
 * the listening socket, and any of them may answer any request, since everything they must
 * agree on is decided in the database (docs/CHECKOUT.md "Several workers").
 *
 * The primary:
 * - migrates the store and creates the checkout's keys once, before forking, so workers
 *   never race on them; starts one worker, and the others once it listens;
 * - prints one "listening" line when every worker listens (with their pids), one "stopped"
 *   line when all have stopped;
 * - on SIGTERM/SIGINT tells every worker to stop gracefully (--shutdown-timeout each) and
 *   waits; a second signal, or the deadline passing, kills what is left;
 * - replaces a worker that dies unexpectedly, after a back-off that doubles with each death
 *   in a row; a worker that dies before listening, when the service was never up or five
 *   times in a row, ends the service (its exit code, or 3);
 * - gathers /metrics from every worker (checkout/cluster-metrics.ts).
 */
import cluster, { type Worker } from 'node:cluster';
import { serveClusterMetrics } from '../checkout/cluster-metrics.ts';
import { type LogLevel, createLogger } from '../checkout/http/request-log.ts';
import { redactDbUrl } from '../checkout/open-store.ts';
import { ExitCode } from './exit-codes.ts';
import { openCheckout } from './open-checkout.ts';
import { type ServeSettings, out } from './checkout-serve.ts';
import { stopMessage, workerMessage } from './checkout-worker.ts';
import { Spinner } from './spinner.ts';

/** Deaths before listening, in a row, after which restarting is pointless. */
const MAX_START_FAILURES = 5;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 10_000;
/** A worker that served this long before dying starts the back-off afresh. */
const STABLE_MS = 30_000;
/** Beyond the workers' own --shutdown-timeout: for their exit to reach the primary. */
const STOP_MARGIN_MS = 2_000;

interface Member {
  worker: Worker;
  startedAt: number;
  url?: string;
  metricsUrl?: string;
  forced: number;
}

/** Runs the cluster until it stops; resolves with the exit code. */
export async function runPrimary(s: ServeSettings, workers: number, logLevel: LogLevel): Promise<number> {
  const shown = redactDbUrl(s.db);
  const spinner = new Spinner(process.stderr, s.json, process.stdout);
  spinner.start(`Opening ${shown}…`);
  let code: number = ExitCode.OK;
  // Migrations and key 1, once; the checkout is closed again before any worker opens it.
  const checkout = await openCheckout(
    { db: s.db, dbPoolSize: 1, notify: false, sweep: false },
    { json: s.json, setExit: (c) => (code = c) },
  ).finally(() => spinner.stop());
  if (!checkout) return code;
  await checkout.close();

  const log = createLogger({ level: logLevel }).child({ role: 'primary' });
  serveClusterMetrics();
  const members = new Map<number, Member>();
  let everUp = false;
  let othersForked = false;
  /** Workers dead before listening, in a row (giving up), and dead at all, in a row (the back-off). */
  let failuresInRow = 0;
  let deathsInRow = 0;
  let stopping: string | undefined;
  let forced = 0;
  const restarts = new Set<NodeJS.Timeout>();
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));

  const fork = (): void => {
    const worker = cluster.fork();
    members.set(worker.id, { worker, startedAt: Date.now(), forced: 0 });
  };

  const stop = (signal: string, exitCode?: number): void => {
    if (stopping !== undefined) return;
    stopping = signal;
    for (const t of restarts) clearTimeout(t);
    if (exitCode !== undefined) code = exitCode;
    for (const m of members.values()) {
      // Still starting: it may not listen for the message yet, and has served nothing. SIGTERM
      // stops it either way (gracefully once it waits for the stop, checkout-worker.ts).
      if (m.url === undefined) m.worker.process.kill('SIGTERM');
      // A worker that has just died cannot be told; its exit is counted all the same.
      else if (m.worker.isConnected()) m.worker.send(stopMessage(signal), undefined, () => undefined);
    }
    setTimeout(
      () => {
        log.error(
          { left: [...members.values()].map((m) => m.worker.process.pid) },
          'workers did not stop in time: killed',
        );
        killAll();
        finish(ExitCode.UNREACHABLE);
      },
      s.shutdownTimeoutS * 1000 + STOP_MARGIN_MS,
    ).unref();
  };
  const killAll = (): void => {
    for (const m of members.values()) m.worker.process.kill('SIGKILL');
  };
  const onSignal = (signal: string): void => {
    if (stopping === undefined) return stop(signal);
    // A second signal: stop now, as a single process would.
    killAll();
    finish(ExitCode.UNREACHABLE);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const forwardHup = (): void => {
    for (const m of members.values()) m.worker.process.kill('SIGHUP');
  };
  if (s.tlsFiles) process.on('SIGHUP', forwardHup);

  cluster.on('message', (worker, raw) => {
    const m = workerMessage(raw);
    const member = members.get(worker.id);
    if (!m || !member) return;
    if (m.type === 'stopped') member.forced = m.forced;
    if (m.type !== 'listening') return;
    Object.assign(member, { url: m.url, metricsUrl: m.metricsUrl });
    failuresInRow = 0;
    if (everUp) {
      log.info({ worker: worker.process.pid }, 'worker replaced');
      return;
    }
    // The first worker up has shown the port and the database work: now the others, at once.
    // (All at once from the start, a port in use would be N workers printing one error.)
    if (!othersForked) {
      othersForked = true;
      for (let i = 1; i < workers; i++) fork();
    }
    const up = [...members.values()];
    if (up.length < workers || up.some((x) => x.url === undefined)) return;
    everUp = true;
    const pids = up.map((x) => x.worker.process.pid);
    const certExpires = s.tls?.validTo.toISOString();
    out(
      s.json,
      {
        event: 'listening',
        url: m.url,
        db: shown,
        metricsUrl: m.metricsUrl,
        workers: pids,
        ...(certExpires ? { certExpires } : {}),
      },
      `checkout listening on ${m.url} (state in ${shown}; ${workers} workers${certExpires ? `; certificate valid until ${certExpires.slice(0, 10)}` : ''}); Ctrl-C stops it`,
    );
  });

  cluster.on('exit', (worker, exitCode, signal) => {
    const member = members.get(worker.id);
    members.delete(worker.id);
    if (!member) return;
    if (stopping !== undefined) {
      forced += member.forced;
      if (exitCode !== 0 || member.forced > 0) code = Math.max(code, ExitCode.UNREACHABLE);
      if (members.size > 0) return;
      // Given up before the service was ever up: the worker has said why, in the one error shape.
      if (everUp)
        out(
          s.json,
          { event: 'stopped', signal: stopping, forced },
          `checkout stopped (${stopping})${forced ? `; ${forced} requests were cut at the deadline` : ''}`,
        );
      finish(code);
      return;
    }
    const pid = worker.process.pid;
    const listened = member.url !== undefined;
    if (!listened) failuresInRow += 1;
    if (!listened && (!everUp || failuresInRow >= MAX_START_FAILURES)) {
      log.error({ worker: pid, exitCode, signal, failuresInRow }, 'worker died before listening: giving up');
      stop('worker-failed', exitCode !== null && exitCode > 0 ? exitCode : ExitCode.UNREACHABLE);
      if (members.size === 0) finish(code);
      return;
    }
    deathsInRow = listened && Date.now() - member.startedAt > STABLE_MS ? 1 : deathsInRow + 1;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (deathsInRow - 1));
    log.warn({ worker: pid, exitCode, signal, restartInMs: delay }, 'worker died: starting another');
    const restart = setTimeout(() => {
      restarts.delete(restart);
      fork();
    }, delay);
    restarts.add(restart);
  });

  fork();
  const result = await finished;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', forwardHup);
  return result;
}
