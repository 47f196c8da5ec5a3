/**
 * Scale out (issue 13): band payments over HTTP with the checkout in its own process(es)
 * and the load generator (scale-payer.ts) in another, on three set-ups side by side:
 *
 * - sqlite1: one checkout on a SQLite file (WAL, synchronous FULL: as shipped)
 * - postgres1: one checkout on a PostgreSQL database
 * - postgres2: two checkouts on one PostgreSQL database, the tills spread over both
 * - sqlite2: one checkout with `--workers 2` on a SQLite file (two processes, one port)
 * - http (issue 18's checkout.http.processPaymentsPerSecond): SQLite with `--workers` = the
 *   cores, the band answers prepared off the clock (scale-payer.ts preparedSlice), beside
 *   the whole payment's crypto floor × cores (checkout-floor.ts benchPaymentFloor)
 *
 * PostgreSQL is a throw-away server of the system's binaries, durable as in production
 * (fsync and synchronous_commit on), in a temp dir beside the SQLite file. Every checkout
 * runs with production settings: the tills' work stays within them (scale-payer.ts).
 *
 * The set-ups take turns slice by slice, and the crypto floor (checkout-floor.ts: one
 * core, node:crypto alone) is measured after every slice while the checkouts idle, so all
 * figures see the same machine; the best slice of each is reported. Beside each figure:
 * the CPU time per payment of the checkouts, of PostgreSQL and of the load generator, and
 * how busy the two cores were: what limits it. At the end each ledger must hold exactly
 * the payments its tills were acknowledged.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../checkout/open-store.ts';
import { type LocalPostgres, startLocalPostgres } from '../../harness/postgres/local-server.ts';
import { benchCryptoFloor, benchPaymentFloor } from './checkout-floor.ts';
import type { SliceReport } from './scale-payer.ts';
import { type Proc, cpuMs, machineBusyMs, postgresPids, startCheckoutProcess, startPayer } from './scale-procs.ts';

export interface ScaleOptions {
  /** Tills paying at once in every set-up (at most 9: scale-payer.ts). */
  lanes: number;
  /** Length of one timed slice, ms; every set-up runs `slices` of them, the best counts. */
  sliceMs: number;
  slices: number;
  floorMs: number;
}

export const scaleBenchSizes = {
  quick: { lanes: 8, sliceMs: 1500, slices: 2, floorMs: 150 },
  normal: { lanes: 8, sliceMs: 4000, slices: 3, floorMs: 300 },
  long: { lanes: 8, sliceMs: 10_000, slices: 5, floorMs: 600 },
} satisfies Record<string, ScaleOptions>;

/** One set-up's best slice. CPU figures are milliseconds of CPU time per payment. */
export interface ScaleFigure {
  paymentsPerSecond: number;
  floorRatio: number;
  checkoutProcesses: number;
  checkoutCpuMsPerPayment: number;
  postgresCpuMsPerPayment: number;
  /** Transactions PostgreSQL ran per payment (about: see pgTransactions); 0 on SQLite. */
  postgresTransactionsPerPayment: number;
  payerCpuMsPerPayment: number;
  /** Cores this set-up's processes (checkouts, PostgreSQL, payer) kept busy during the slice: its share of the machine. */
  ownCores: number;
  /** Cores busy during the slice, all processes of the machine (ours and anyone else's). */
  machineBusyCores: number;
}

/** Issue 18: the checkout as it runs in production, every core used, the band's work off the clock. */
export interface HttpProcessFigure {
  /** Whole band payments a second (trade, challenge, answer over HTTP). */
  processPaymentsPerSecond: number;
  /** processPaymentsPerSecond / (paymentFloorPerSecond × cores); goal ≥ 0.5. */
  floorRatio: number;
  /** One core doing a whole payment's crypto alone (benchPaymentFloor), in this run. */
  paymentFloorPerSecond: number;
  workers: number;
  cores: number;
  detail: ScaleFigure;
}

export interface ScaleResults {
  sqlite1: ScaleFigure;
  postgres1: ScaleFigure;
  postgres2: ScaleFigure;
  sqlite2: ScaleFigure;
  http: HttpProcessFigure;
  cryptoFloorPerSecond: number;
  /** postgres2 / sqlite1 (goal ≥ 1). */
  postgres2OverSqlite1: number;
  /** sqlite2 / sqlite1: what a second worker on the same file adds. */
  sqlite2OverSqlite1: number;
  lanes: number;
  sliceMs: number;
  slices: number;
}

type SetUpName = 'sqlite1' | 'postgres1' | 'postgres2' | 'sqlite2' | 'http';

interface SetUp {
  name: SetUpName;
  db: string;
  checkouts: Array<Proc & { url: string; pids: number[] }>;
  /** Band answers prepared off the clock (the http set-up). */
  prepared: boolean;
  /** The checkouts' logs (stderr, JSON lines). */
  logs: string[];
  payer: Proc;
  paid: number;
  best?: ScaleFigure;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
// Ratios to the floor are small over HTTP on a busy machine: three places keep them apart from zero.
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The log lines at level error or worse (pino: 50, 60), the last few of each file. */
function errorLines(logs: string[]): string {
  return logs
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => /"level":[56]0/.test(l))
        .slice(-3),
    )
    .map((l) => l.slice(0, 1500))
    .join('\n');
}

/** Starts a set-up's checkouts and its payer; each process goes into `started` as it starts, for the clean-up. */
async function open(
  name: SetUpName,
  db: string,
  shape: { processes: number; workers: number; prepared?: boolean },
  dir: string,
  lanes: number,
  started: Proc[],
): Promise<SetUp> {
  const checkouts: SetUp['checkouts'] = [];
  const logs = Array.from({ length: shape.processes }, (_, i) => join(dir, `${name}-${i}.log`));
  // One after another: the first applies the migrations, the next finds them done.
  for (const log of logs) {
    const c = await startCheckoutProcess(db, log, shape.workers);
    started.push(c);
    checkouts.push(c);
  }
  const payer = await startPayer(
    checkouts.map((c) => c.url),
    lanes,
  );
  started.push(payer);
  return { name, db, checkouts, logs, payer, paid: 0, prepared: shape.prepared === true };
}

/**
 * Transactions the database committed or rolled back so far. Each server process reports
 * its counts about once a second (PostgreSQL's cumulative statistics), so over a slice of
 * a few seconds the figure is close, not exact.
 */
async function pgTransactions(db: string): Promise<number> {
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(r.rows[0].n);
  } finally {
    await client.end();
  }
}

async function slice(
  s: SetUp,
  ms: number,
  server: LocalPostgres | undefined,
): Promise<ScaleFigure & { sizes: SliceReport['sizes'] }> {
  const checkoutPids = s.checkouts.flatMap((c) => c.pids);
  const pgPids = server ? postgresPids(server.dataDir) : [];
  const xacts = server ? await pgTransactions(s.db) : 0;
  const before = { checkout: cpuMs(checkoutPids), pg: cpuMs(pgPids), machine: machineBusyMs() };
  s.payer.send({ ms, prepared: s.prepared });
  const r = (await s.payer.next().catch((e: Error) => {
    throw new Error(`${e.message}\n${s.name}'s checkout errors:\n${errorLines(s.logs)}`);
  })) as unknown as SliceReport;
  const pgCpu = (server ? cpuMs(postgresPids(server.dataDir)) : 0) - before.pg;
  const machine = machineBusyMs() - before.machine;
  const checkoutCpu = cpuMs(checkoutPids) - before.checkout;
  const xactsAfter = server ? await pgTransactions(s.db) : 0;
  const perPayment = (cpu: number) => round2(cpu / Math.max(r.payments, 1));
  s.paid += r.payments;
  return {
    paymentsPerSecond: Math.round((r.payments * 1000) / r.ms),
    floorRatio: 0,
    checkoutProcesses: checkoutPids.length - s.checkouts.filter((c) => c.pids.length > 1).length,
    checkoutCpuMsPerPayment: perPayment(checkoutCpu),
    postgresCpuMsPerPayment: perPayment(pgCpu),
    postgresTransactionsPerPayment: round2((xactsAfter - xacts) / Math.max(r.payments, 1)),
    payerCpuMsPerPayment: perPayment(r.cpuMs),
    ownCores: round2((checkoutCpu + pgCpu + r.cpuMs) / r.ms),
    machineBusyCores: round2(machine / r.ms),
    sizes: r.sizes,
  };
}

/** Stops a set-up's processes, then counts its ledger: every acknowledged payment once, no more. */
async function closeAndCheck(s: SetUp): Promise<void> {
  await s.payer.stop();
  for (const c of s.checkouts) await c.stop();
  const store = await openStore(s.db);
  try {
    const { payments } = await store.ledger.counts();
    if (payments !== s.paid)
      throw new Error(`scale ${s.name}: ${s.paid} payments acknowledged, ${payments} in the ledger`);
  } finally {
    await store.close();
  }
}

export async function benchScale(
  opts: ScaleOptions,
  log: (s: string) => void = () => undefined,
): Promise<ScaleResults> {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-scale-'));
  const setUps: SetUp[] = [];
  const started: Proc[] = [];
  let server: LocalPostgres | undefined;
  try {
    server = await startLocalPostgres({ durable: true });
    log(`  PostgreSQL (durable) on port ${server.port}; ${cpus().length} cores`);
    const [one, two] = [await server.createDatabase('scale_one'), await server.createDatabase('scale_two')];
    // Set up at once (most of it is waiting on scrypt and process starts); all settled
    // before going on, so the clean-up sees every process that started.
    const cores = availableParallelism();
    const opened = await Promise.allSettled([
      open('sqlite1', join(dir, 'checkout.db'), { processes: 1, workers: 1 }, dir, opts.lanes, started),
      open('postgres1', one, { processes: 1, workers: 1 }, dir, opts.lanes, started),
      open('postgres2', two, { processes: 2, workers: 1 }, dir, opts.lanes, started),
      open('sqlite2', join(dir, 'workers.db'), { processes: 1, workers: 2 }, dir, opts.lanes, started),
      open('http', join(dir, 'http.db'), { processes: 1, workers: cores, prepared: true }, dir, opts.lanes, started),
    ]);
    for (const o of opened) {
      if (o.status === 'rejected') throw o.reason;
      setUps.push(o.value);
    }
    // Untimed warm-up: JIT, connection pools, the first pages of every table.
    const pgOf = (s: SetUp) => (s.name.startsWith('postgres') ? server : undefined);
    for (const s of setUps) await slice(s, Math.min(1000, opts.sliceMs), pgOf(s));
    let floor = 0;
    let paymentFloor = 0;
    for (let round = 0; round < opts.slices; round++) {
      for (const s of setUps) {
        const f = await slice(s, opts.sliceMs, pgOf(s));
        log(`  ${s.name}: ${f.paymentsPerSecond} payments/s (machine ${f.machineBusyCores} cores busy)`);
        const { sizes, ...figure } = f;
        if (!s.best || figure.paymentsPerSecond > s.best.paymentsPerSecond) s.best = figure;
        floor = Math.max(floor, benchCryptoFloor(sizes, opts.floorMs).full);
        paymentFloor = Math.max(paymentFloor, benchPaymentFloor(sizes, opts.floorMs));
      }
    }
    const best = new Map(setUps.map((s) => [s.name, s.best as ScaleFigure]));
    for (const s of setUps) await closeAndCheck(s);
    const [sqlite1, postgres1, postgres2, sqlite2] = (['sqlite1', 'postgres1', 'postgres2', 'sqlite2'] as const).map(
      (name) => {
        const figure = best.get(name) as ScaleFigure;
        return { ...figure, floorRatio: round3(figure.paymentsPerSecond / floor) };
      },
    );
    const detail = best.get('http') as ScaleFigure;
    const httpRatio = round3(detail.paymentsPerSecond / (paymentFloor * cores));
    return {
      sqlite1,
      postgres1,
      postgres2,
      sqlite2,
      http: {
        processPaymentsPerSecond: detail.paymentsPerSecond,
        floorRatio: httpRatio,
        paymentFloorPerSecond: paymentFloor,
        workers: cores,
        cores,
        detail: { ...detail, floorRatio: httpRatio },
      },
      cryptoFloorPerSecond: floor,
      postgres2OverSqlite1: round2(postgres2.paymentsPerSecond / sqlite1.paymentsPerSecond),
      sqlite2OverSqlite1: round2(sqlite2.paymentsPerSecond / sqlite1.paymentsPerSecond),
      lanes: opts.lanes,
      sliceMs: opts.sliceMs,
      slices: opts.slices,
    };
  } finally {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
