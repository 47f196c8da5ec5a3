import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/**
 * Runs `argv` on a pseudo-terminal made by util-linux `script`, as a person at a terminal
 * would. `script -c` hands the line to $SHELL; the line starts with `exec` so the shell
 * becomes the program: otherwise Ctrl-C also reaches the shell, and dash (Debian's /bin/sh,
 * and `script`'s fallback when SHELL is unset, as on CI) dies of it and reports 130 even
 * when the program exited cleanly. SHELL is pinned so every machine runs the same shell.
 */
export function spawnOnTerminal(argv: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  const line = `exec ${argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
  return spawn('script', ['-qec', line, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env, SHELL: '/bin/sh' },
  });
}
