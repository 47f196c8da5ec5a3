/**
 * The package as a user gets it: `npm pack` of a fresh copy of this checkout (so its
 * `prepare` script builds dist/ there, and the tests running beside this one keep reading
 * the repository's own dist/ undisturbed), then `npm install --omit=dev` of the tarball
 * into an empty folder, and the installed bin run as a process.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const REPO = join(import.meta.dirname, '..', '..', '..');
const run = promisify(execFile);
/** What a copy leaves out: installed packages and git are linked or needless, dist/ is what `prepare` must make. */
const NOT_COPIED = new Set(['node_modules', '.git', 'dist']);

export interface Packed {
  /** The temporary folder holding the copy, the tarball and the installed app. */
  root: string;
  tarball: string;
  /** Paths inside the tarball, without the leading `package/`. */
  files: string[];
  /** The folder the tarball was installed into, and the installed bin. */
  app: string;
  bin: string;
  installMs: number;
}

export async function packAndInstall(): Promise<Packed> {
  const root = mkdtempSync(join(tmpdir(), 'wristpay-pack-'));
  const copy = join(root, 'copy');
  for (const entry of readdirSync(REPO)) {
    if (!NOT_COPIED.has(entry)) cpSync(join(REPO, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const packed = await run('npm', ['pack', '--json', '--pack-destination', root], { cwd: copy, maxBuffer: 64 << 20 });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as {
    filename: string;
    files: { path: string }[];
  }[];
  const app = join(root, 'app');
  cpSync(join(root, info.filename), join(app, info.filename));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'wristpay-user', private: true }));
  const started = Date.now();
  // --prefer-offline: the cache `npm ci` filled serves every package it can; native ones
  // (better-sqlite3) may still compile from source, which is most of the time this takes.
  await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', `./${info.filename}`], {
    cwd: app,
    maxBuffer: 64 << 20,
  });
  return {
    root,
    tarball: join(root, info.filename),
    files: info.files.map((f) => f.path),
    app,
    bin: join(app, 'node_modules', 'wristpay', 'bin', 'wristpay.js'),
    installMs: Date.now() - started,
  };
}

export function removePacked(p: Packed | undefined): void {
  if (p) rmSync(p.root, { recursive: true, force: true });
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the installed bin to its end, in the app folder. */
export function runBin(p: Packed, args: string[]): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [p.bin, ...args], { cwd: p.app, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface Server {
  child: ChildProcessWithoutNullStreams;
  /** The --json event that says it is ready (`listening`, `started`). */
  ready: Record<string, unknown>;
  exited: Promise<number | null>;
  stderr(): string;
}

/** Starts a long-running command with --json and waits for its `event` line. */
export function startBin(p: Packed, args: string[], event: string): Promise<Server> {
  const child = spawn(process.execPath, [p.bin, ...args], { cwd: p.app, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    exited.then((code) => reject(new Error(`wristpay ${args.join(' ')} exited ${code} before "${event}": ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.event === event) resolve({ child, ready: parsed, exited, stderr: () => stderr });
    });
  });
}
