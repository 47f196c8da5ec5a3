/**
 * The processes of the scale benchmark and the CPU time each spends: checkouts started
 * as shipped (`node bin/wristpay.js checkout start --db … --port 0 --json --workers N`, the compiled
 * CLI), the load generator (scale-payer.ts), and PostgreSQL's server processes. CPU time
 * comes from /proc (Linux), so a figure can say which process the two cores went to.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/wristpay.js');
const PAYER = join(import.meta.dirname, 'scale-payer.ts');
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

export interface Proc {
  pid: number;
  /** The JSON lines the process printed on stdout, in order, as they come. */
  next(): Promise<Record<string, unknown>>;
  send(line: unknown): void;
  /** SIGTERM (or stdin closed for the payer), then its exit code. */
  stop(): Promise<number | null>;
}

function wrap(child: ChildProcess, what: string, stderr: () => string): Proc {
  type Line = Record<string, unknown>;
  const queue: Line[] = [];
  const waiting: Array<{ resolve: (v: Line) => void; reject: (e: Error) => void }> = [];
  let failed: Error | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    let value: Line;
    try {
      value = JSON.parse(line) as Line;
    } catch {
      return; // not a JSON line: nothing the bench reads
    }
    const w = waiting.shift();
    if (w) w.resolve(value);
    else queue.push(value);
  });
  void exited.then((code) => {
    failed = new Error(`${what} exited (${code}): ${stderr()}`);
    for (const w of waiting.splice(0)) w.reject(failed);
  });
  return {
    pid: child.pid as number,
    next: () =>
      new Promise((resolve, reject) => {
        const value = queue.shift();
        if (value) return resolve(value);
        if (failed) return reject(failed);
        waiting.push({ resolve, reject });
      }),
    send: (line) => child.stdin?.write(`${JSON.stringify(line)}\n`),
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      if (child.stdin) child.stdin.end();
      else child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * A checkout service on `db` (`--workers N`: one process, or a primary and N workers); its log
 * (one JSON line per request, as shipped) goes to `logFile`. `pids`: the processes that
 * serve (the workers, or the one process), whose CPU time the bench reads.
 */
export async function startCheckoutProcess(
  db: string,
  logFile: string,
  workers = 1,
): Promise<Proc & { url: string; pids: number[] }> {
  const log = openSync(logFile, 'a');
  const args = [BIN, 'checkout', 'start', '--db', db, '--port', '0', '--json', '--workers', String(workers)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', log] });
  closeSync(log);
  const proc = wrap(child, `checkout on ${db}`, () => readFileSync(logFile, 'utf8').slice(-2000));
  const first = await proc.next();
  if (first.event !== 'listening' || typeof first.url !== 'string')
    throw new Error(`checkout did not start: ${JSON.stringify(first)}`);
  const served = Array.isArray(first.workers) ? (first.workers as number[]) : [];
  return { ...proc, url: first.url, pids: [proc.pid, ...served] };
}

/** The load generator, set up and ready for slices. */
export async function startPayer(urls: string[], lanes: number): Promise<Proc> {
  let err = '';
  const child = spawn(process.execPath, ['--import', 'tsx', PAYER, JSON.stringify({ urls, lanes })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + String(d)).slice(-4000);
  });
  const proc = wrap(child, 'scale payer', () => err);
  const ready = await proc.next();
  if (ready.event !== 'ready') throw new Error(`scale payer: ${JSON.stringify(ready)}`);
  return proc;
}

/** User + system CPU time of a live process (and of its children it has waited for), ms. */
function cpuMsOf(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0; // gone: a PostgreSQL backend that ended between listing and reading
  }
  // The fields after the command name (which may hold spaces), from field 3 on.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

/** PostgreSQL's postmaster (first line of postmaster.pid) and every server process it forked. */
export function postgresPids(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((d) => /^[0-9]+$/.test(d))
    .map(Number)
    .filter((pid) => parentOf(pid) === postmaster);
  return [postmaster, ...children];
}

export function cpuMs(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
}

/** CPU time the whole machine spent busy (every process, ours or not), ms: /proc/stat's first line. */
export function machineBusyMs(): number {
  // cpu user nice system idle iowait irq softirq steal …: all but idle and iowait are busy.
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) * TICK_MS;
}
