/**
 * The checkout as a child process on a given database (a SQLite file or a postgres:// URL,
 * as `--db` takes either): started with `checkout start --db DB --port 0 --json`, ready once
 * it prints its URL, and killed
 * with SIGKILL (no handler runs, nothing is flushed or closed: as a crash or an OOM kill).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ENTRY = join(import.meta.dirname, 'checkout-process.ts');
/** The compiled CLI as shipped (`npm run build:lib` first): what node:cluster forks again for each worker. */
const BIN = join(import.meta.dirname, '../../../bin/wristpay.js');

export interface ChildCheckout {
  url: string;
  pid: number;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (clean stop), then wait for the exit code. */
  stop(): Promise<number | null>;
  /** The exit code, once the process has ended (after a signal sent some other way). */
  exited(): Promise<number | null>;
  /** The tail of stderr, or all of it with `keepStderr`. */
  stderr(): string;
  /** Every line printed on stdout so far (`--json` events). */
  stdout(): string[];
}

export interface ChildOptions {
  /** More arguments for `checkout start`. */
  args?: string[];
  /** Keep all of stderr (the JSON log), not just its last 4,000 characters. */
  keepStderr?: boolean;
  /** Run bin/wristpay.js (dist/lib) instead of the sources through tsx. */
  bin?: boolean;
}

export async function startChildCheckout(db: string, options: ChildOptions = {}): Promise<ChildCheckout> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...(options.bin ? [BIN] : ['--import', 'tsx', ENTRY]),
      'checkout',
      'start',
      '--db',
      db,
      '--port',
      '0',
      '--json',
      ...(options.args ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    if (!options.keepStderr) err = err.slice(-4000);
  });
  const out: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`checkout did not start: ${err}`)), 30_000);
    lines.on('line', (line) => {
      out.push(line);
      try {
        const m = JSON.parse(line) as { event?: string; url?: string };
        if (m.event === 'listening' && m.url) {
          clearTimeout(timer);
          resolve(m.url);
        }
      } catch {
        // not ours
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`checkout exited (${code}) before listening: ${err}`));
    });
  });
  return {
    url,
    pid: child.pid as number,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
    exited: () => exited,
    stderr: () => err,
    stdout: () => out,
  };
}
