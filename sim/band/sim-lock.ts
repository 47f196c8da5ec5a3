/**
 * One simulator per state directory: `DIR/sim.lock` holds the running simulator's pid,
 * created exclusively. A lock whose process is gone (a crash) is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { PRIVATE_DIR, PRIVATE_FILE } from './atomic-file.ts';
import { statePaths } from './state-dir.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** The pid of a live simulator holding DIR, or null. */
export function runningSimulatorPid(dir: string): number | null {
  let text: string;
  try {
    text = readFileSync(statePaths(dir).lock, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
}

/** Takes the lock or throws naming the holder; returns the release function. */
export function acquireSimLock(dir: string): () => void {
  const { lock, dir: d } = statePaths(dir);
  mkdirSync(d, { recursive: true, mode: PRIVATE_DIR });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx', PRIVATE_FILE);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(lock, 'utf8').trim() === String(process.pid)) rmSync(lock, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = runningSimulatorPid(dir);
      if (holder !== null) throw new Error(`a simulator (pid ${holder}) is already running on ${d}; stop it first`);
      rmSync(lock, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`cannot take ${lock}`);
}
