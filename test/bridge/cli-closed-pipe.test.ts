/**
 * Output to a closed pipe ends quietly (issue 14, item 13), run as a real process:
 * `wristpay demo --json | head -1` — the reader takes the first line and closes its end —
 * exits 0 with no EPIPE trace and removes its temporary directory; a short command whose
 * reader is gone before it writes (`wristpay catalogue | head -0`) does the same.
 * Each child gets its own TMPDIR, so the demo's wristpay-demo-* folder is found for sure.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers/process.ts';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'wristpay-closed-pipe-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const demoDirs = (): string[] => readdirSync(tmp).filter((n) => n.startsWith('wristpay-demo-'));

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  firstLine: string;
  dirsWhileRunning: string[];
}

/** Spawns the command with stdout on a pipe; closes the read side after `lines` lines (0: at once). */
function readThenClose(args: string[], lines: number): Promise<Ended> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let buffered = '';
    let firstLine = '';
    let dirsWhileRunning: string[] = [];
    child.stderr.on('data', (d) => (stderr += String(d)));
    if (lines === 0) child.stdout.destroy();
    else {
      child.stdout.on('data', (d) => {
        buffered += String(d);
        if (firstLine || !buffered.includes('\n')) return;
        firstLine = buffered.slice(0, buffered.indexOf('\n'));
        dirsWhileRunning = demoDirs();
        child.stdout.destroy(); // what head does after its line: close the pipe's read end
      });
    }
    child.on('close', (code, signal) => resolve({ code, signal, stderr, firstLine, dirsWhileRunning }));
  });
}

describe('a reader that closes the pipe (as a process)', () => {
  it('wristpay demo --json | head -1: the first event, exit 0, no EPIPE trace, temp dir removed', async () => {
    const r = await readThenClose(['demo', '--json'], 1);
    expect(JSON.parse(r.firstLine)).toMatchObject({ step: 'enroll', outcome: 'ok' });
    expect(r.dirsWhileRunning).toHaveLength(1); // the demo's folder was there while it ran…
    expect(r.stderr).not.toMatch(/EPIPE|Error|at .*\.ts:\d+/);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(demoDirs()).toEqual([]); // …and is gone now
  }, 120_000);

  it('wristpay catalogue with the reader gone before it writes: exit 0, nothing on stderr', async () => {
    const r = await readThenClose(['catalogue'], 0);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 30_000);
});
