/**
 * Runs `wristpay bridge …` in-process, as cli/main.ts does (exit codes included:
 * a commander usage error is 2), with captured streams, a scripted stdin and an injected
 * radio. The group is registered on a fresh Command so the test does not depend on how
 * groups.ts wires it.
 */
import { Readable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { register } from '../../../cli/bridge-commands.ts';
import type { CliIo } from '../../../cli/bridge-io.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON object --json promises. */
  json(): Record<string, unknown>;
}

function sink(): { write(s: string): boolean; text: string; isTTY: boolean } {
  return {
    text: '',
    isTTY: false,
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}

export async function runCli(
  argv: string[],
  opts: { stdin?: string; io?: Partial<CliIo>; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const stdout = sink();
  const stderr = sink();
  const stdin = Readable.from(opts.stdin === undefined ? [] : [opts.stdin]) as unknown as CliIo['stdin'];
  let code = 0;
  const program = new Command()
    .name('wristpay')
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) });
  register(
    program,
    (c) => {
      code = c;
    },
    { stdout, stderr, stdin, env: opts.env ?? {}, ...opts.io },
  );
  try {
    await program.parseAsync(['node', 'wristpay', ...argv]);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    code = err.code === 'commander.helpDisplayed' || err.code === 'commander.help' ? 0 : 2;
  }
  return {
    code,
    stdout: stdout.text,
    stderr: stderr.text,
    json() {
      const lines = stdout.text.trim().split('\n');
      if (lines.length !== 1) throw new Error(`expected one JSON line, got: ${stdout.text}`);
      return JSON.parse(lines[0]) as Record<string, unknown>;
    },
  };
}
