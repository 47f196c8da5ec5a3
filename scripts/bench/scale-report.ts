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
  return `| scale.${name} | ${what} | ${n(f.paymentsPerSecond)} | ${f.floorRatio} | ${f.checkoutCpuMsPerPayment} | ${pgCells} | ${f.payerCpuMsPerPayment} | ${f.machineBusyCores} |`;
}

export function renderScale(s: ScaleResults, command: string, date: string, loadAverage: number): string {
  const ratioGoal = s.postgres2OverSqlite1 >= 1;
  const floorGoal = Math.max(s.sqlite1.floorRatio, s.postgres1.floorRatio, s.postgres2.floorRatio) >= 0.5;
  return `${HEAD}

Produced by \`${command}\` on ${date.slice(0, 10)} (load average ${loadAverage} at the start; the machine's two
cores are shared with whatever else runs). Band payments over HTTP, end to end: the till creates the trade,
asks for the band's PAYMENT challenge, and posts the band's answer; ${s.lanes} tills at once, each paying one trade
after another on its own keep-alive connection. The checkouts run as shipped (\`node bin/wristpay.js checkout
start --db … --json\`, production settings: SQLite \`synchronous = FULL\`, PostgreSQL with fsync and
\`synchronous_commit\` on, a JSON log line per request); the tills and their band doubles are one more process
(scripts/bench/scale-payer.ts). The three set-ups take turns, ${s.slices} slices of ${n(s.sliceMs)} ms each, best slice
reported; the crypto floor (one core, node:crypto alone: what a payment's crypto costs the checkout at least)
is measured after every slice while the checkouts idle. Every ledger is counted afterwards: each holds
exactly the payments its tills were acknowledged. CPU columns are milliseconds of CPU time per payment, from
/proc; "cores busy" counts every process on the machine during the slice, ours or not.

| figure | checkouts on | payments/s | floorRatio | checkout CPU ms | PostgreSQL CPU ms | PostgreSQL transactions | payer CPU ms | cores busy |
|---|---|---:|---:|---:|---:|---:|---:|---:|
${row('sqlite1', 'one process, SQLite file', s.sqlite1)}
${row('postgres1', 'one process, PostgreSQL', s.postgres1)}
${row('postgres2', 'two processes, one PostgreSQL database', s.postgres2)}

Crypto floor: ${n(s.cryptoFloorPerSecond)} payments/s. Goals: PostgreSQL with two processes at least matches SQLite
with one: ${verdict(ratioGoal)} (${s.postgres2OverSqlite1}×); the HTTP path reaches at least 0.5 of the crypto floor:
${verdict(floorGoal)}.

What limits each figure:

- **All three** share two cores with the tills' process and, for PostgreSQL, the database server: a payment
  here costs the sum of the CPU columns, and the floor is one core doing crypto alone. A payment over HTTP is
  three signed requests (each signature checked), a hello opened and a challenge sealed and signed, the answer
  opened and its token verified, and three commits (the trade, the challenge, the payment), none of which the
  in-process checkout bench times.
- **sqlite1**: better-sqlite3 runs on the event loop, so each commit's fsync (\`synchronous = FULL\`) stops the
  process for the disk's flush time; the answers of one event-loop turn share a commit (group commit), the
  trades and challenges do not. The disk's fsync latency, not the CPU, sets this figure when the disk is slow.
- **postgres1**: the store's calls are separate statements, each a round trip to a server process and each
  commit a WAL flush (PostgreSQL groups concurrent flushes itself); the "transactions" column is how many per
  payment. Its server processes take CPU from the same two cores.
- **postgres2**: a second checkout adds an event loop but no core: on two cores that already run the first
  checkout, PostgreSQL and the tills, it can only help while the one process waits on I/O. On a machine with
  a core (or a host) per checkout the processes add up; here they compete.
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
