/**
 * The "Scale out" section of BENCHMARKS.md (scale.ts's figures), rendered by a full run
 * (report.ts) or spliced into the existing file by `--only scale`, which measures this
 * section alone.
 */
import type { ScaleFigure, ScaleResults } from './scale.ts';

const HEAD = '## Scale out: SQLite and PostgreSQL';
/** Where the section goes when the file has none yet: before the hostile relay's. */
const BEFORE = '## Hostile relay';

const n = (v: number) => v.toLocaleString('en-US');
const verdict = (ok: boolean) => (ok ? '**met**' : '**not met**');

function row(name: string, what: string, f: ScaleFigure): string {
  const pgCells = f.postgresTransactionsPerPayment
    ? `${f.postgresCpuMsPerPayment} | ${f.postgresTransactionsPerPayment}`
    : '– | –';
  return `| scale.${name} | ${what} | ${n(f.paymentsPerSecond)} | ${f.floorRatio} | ${f.checkoutCpuMsPerPayment} | ${pgCells} | ${f.payerCpuMsPerPayment} | ${f.ownCores} | ${f.machineBusyCores} |`;
}

/** A warning when other work took much of the machine: then the figures measure that work as much as ours. */
function busyMachine(s: ScaleResults): string {
  const figures = [s.sqlite1, s.postgres1, s.postgres2, s.sqlite2, s.http.detail];
  const others = Math.max(...figures.map((f) => f.machineBusyCores - f.ownCores));
  if (others < 0.5) return '';
  return `\n**Other work took up to ${round1(others)} of the two cores during these slices** (own cores against cores busy): the
figures are lower than this machine gives the checkout alone, and the set-ups' order can change; measure
again on a quiet machine before reading much into them.\n`;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Each set-up in table order: what two idle cores would carry at this run's CPU time per payment. */
function bounds(s: ScaleResults): string {
  const cpu = (f: ScaleFigure) => f.checkoutCpuMsPerPayment + f.postgresCpuMsPerPayment + f.payerCpuMsPerPayment;
  // A checkout process runs its JavaScript on one core: each can carry at most 1,000 ms of it a second.
  const bound = (f: ScaleFigure) => Math.min(2000 / cpu(f), (1000 * f.checkoutProcesses) / f.checkoutCpuMsPerPayment);
  return [s.sqlite1, s.postgres1, s.postgres2, s.sqlite2, s.http.detail]
    .map((f) => n(Math.round(bound(f))))
    .join(' / ');
}

export function renderScale(s: ScaleResults, command: string, date: string, loadAverage: number): string {
  const ratioGoal = s.postgres2OverSqlite1 >= 1;
  const floorGoal = Math.max(s.sqlite1.floorRatio, s.postgres1.floorRatio, s.postgres2.floorRatio) >= 0.5;
  return `${HEAD}

Produced by \`${command}\` on ${date.slice(0, 10)} (load average ${loadAverage} at the start; the machine's two
cores are shared with whatever else runs). Band payments over HTTP, end to end: the till creates the trade,
asks for the band's PAYMENT challenge, and posts the band's answer; ${s.lanes} tills at once, each paying one trade
after another on its own keep-alive connection. The checkouts run as shipped (\`node bin/wristpay.js checkout
start --db … --json --workers N\`, production settings: SQLite \`synchronous = FULL\`, PostgreSQL with fsync and
\`synchronous_commit\` on, a JSON log line per request); the tills and their band doubles are one more process
(scripts/bench/scale-payer.ts). The set-ups take turns, ${s.slices} slices of ${n(s.sliceMs)} ms each, best slice
reported; the crypto floor (one core, node:crypto alone: what a payment's crypto costs the checkout at least)
is measured after every slice while the checkouts idle. Every ledger is counted afterwards: each holds
exactly the payments its tills were acknowledged. CPU columns are milliseconds of CPU time per payment, from
/proc; "transactions" is how many PostgreSQL ran per payment (from its statistics, close rather than exact);
"own cores" is the CPU the set-up's processes used per second of the slice, "cores busy" that of every process
on the machine, ours or not: the difference is what other work took from the bench.

| figure | checkouts on | payments/s | floorRatio | checkout CPU ms | PostgreSQL CPU ms | PostgreSQL transactions | payer CPU ms | own cores | cores busy |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|
${row('sqlite1', 'one process, SQLite file', s.sqlite1)}
${row('postgres1', 'one process, PostgreSQL', s.postgres1)}
${row('postgres2', 'two processes, one PostgreSQL database', s.postgres2)}
${row('sqlite2', '`--workers 2`, one SQLite file', s.sqlite2)}
${row('http', `\`--workers ${s.http.workers}\`, SQLite, answers prepared`, s.http.detail)}

From CPU alone, with nothing else running, this machine could carry at most ${bounds(s)} payments/s
(sqlite1 / postgres1 / postgres2 / sqlite2 / http: two cores' 2,000 ms a second over the sum of the CPU columns, and no more than
one core per checkout process; the fsyncs' waiting comes on top).

**checkout.http.processPaymentsPerSecond: ${n(s.http.processPaymentsPerSecond)}** (scale.http: \`checkout start --workers
${s.http.workers}\` on a SQLite file, one worker per core; the bands' part of each payment, opening the challenge and
answering, done while the clock stands, so the slice times the checkout's requests alone, the tills' HTTP and
signatures beside them). Against the whole payment's crypto floor (hello opened, challenge signed and sealed,
answer opened, token verified, RESULT sealed: ${n(s.http.paymentFloorPerSecond)}/s on one core) × ${s.http.cores} cores:
**checkout.http.floorRatio ${s.http.floorRatio}** (goal ≥ 0.5: ${verdict(s.http.floorRatio >= 0.5)}). A second worker on one
SQLite file against one process (sqlite2 / sqlite1): ${s.sqlite2OverSqlite1}×.

Crypto floor: ${n(s.cryptoFloorPerSecond)} payments/s. Goals: PostgreSQL with two processes at least matches SQLite
with one: ${verdict(ratioGoal)} (${s.postgres2OverSqlite1}×); the HTTP path reaches at least 0.5 of the crypto floor:
${verdict(floorGoal)}.
${busyMachine(s)}
What limits each figure:

- **All set-ups** share two cores with the tills' process and, for PostgreSQL, the database server, and with
  whatever else the machine runs (own cores against cores busy). A payment here costs the sum of the CPU
  columns; the floor is one core doing a payment's crypto alone. A payment over HTTP is three signed requests
  (each signature checked, each logged), a hello opened, a challenge sealed and signed, the answer opened and
  its token verified, and three commits (the trade, the challenge, the payment): the in-process checkout bench
  above times only the last step, with the rest prepared.
- **sqlite1**: better-sqlite3 runs on the event loop, so each of the three commits stops the whole process for
  its fsync (\`synchronous = FULL\`). Answers of one event-loop turn share a commit (group commit); trades and
  challenges do not. A CPU profile of the checkout under this load puts most of its busy time inside those
  three statements: the disk's flush time, more than the CPU, sets this figure.
- **postgres1**: statements are round trips to a server process and do not stop the event loop, and PostgreSQL
  groups the WAL flushes of concurrent commits; but each payment is about ${s.postgres1.postgresTransactionsPerPayment} transactions (the store's
  calls, not one per request), and the server processes take their CPU from the same two cores.
- **postgres2**: a second checkout adds an event loop but no core. Here the two share the cores the first
  one, PostgreSQL and the tills already use, and each pays its own overhead (two JITs, half the batching each);
  it can gain only while a process waits. With a core or a host per checkout they would add up; here they
  compete.
- **sqlite2, http**: two workers of one service on one file; SQLite takes one writer at a time, so their
  commits (and fsyncs) queue for the file's write lock (each transaction begins IMMEDIATE and waits up to
  \`busy_timeout\`), and a worker waiting for it stops its event loop as a commit does. The second worker gains
  what the first spent on HTTP, signatures and encoding while the other committed; the tills' process takes
  its share of the same two cores.
`;
}

/** `previous` with its scale section replaced by `section` (or the section added where it belongs). */
export function spliceScale(previous: string, section: string): string {
  const at = previous.indexOf(HEAD);
  if (at >= 0) {
    const next = previous.indexOf('\n## ', at + HEAD.length);
    return previous.slice(0, at) + section + (next < 0 ? '' : previous.slice(next));
  }
  const before = previous.indexOf(BEFORE);
  if (before < 0) return `${previous.trimEnd()}\n\n${section}`;
  return `${previous.slice(0, before)}${section}\n${previous.slice(before)}`;
}
