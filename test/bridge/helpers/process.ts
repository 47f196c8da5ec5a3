/**
 * Runs the installed `wristpay` command (bin/wristpay.js) as a child process, the way a
 * person or a script does: real argv, real streams, the exit code the shell sees.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'wristpay.js');

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  json(): Record<string, unknown>;
}

export function wristpay(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.stdin.end(opts.stdin ?? '');
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout, stderr, json: () => JSON.parse(stdout.trim()) as Record<string, unknown> }),
    );
  });
}
