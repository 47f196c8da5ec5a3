/**
 * Crash-safe state files: every file the simulator writes is written to a temporary file
 * in the same directory, flushed, and renamed over the old one, so a crash leaves either
 * the old or the new file, never half of one. (The band's flash file is the exception:
 * it is updated in place, page by page, see persistent-flash.ts.)
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Owner-only modes for the simulator's state (files 0600, directories 0700). */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

export interface AtomicWriteOptions {
  /**
   * File mode for a new file: 0o600 unless given. Everything in a band's state directory
   * is the band's own (its flash holds the wallet journal, its secure element the keys),
   * so nothing there is for other users of the machine.
   */
  mode?: number;
}

/** Writes `data` to `path` atomically (temp file + fsync + rename), creating the directory. */
export function writeFileAtomic(path: string, data: Uint8Array | string, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', opts.mode ?? PRIVATE_FILE);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

/** Writes pretty JSON atomically. */
export function writeJsonAtomic(path: string, value: unknown, opts: AtomicWriteOptions = {}): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', opts);
}

/** Reads a JSON file; undefined when it does not exist; throws a readable error when it is not JSON. */
export function readJsonFile<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

/** Makes the rename durable (best effort: not every platform can fsync a directory). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows and some file systems refuse; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
