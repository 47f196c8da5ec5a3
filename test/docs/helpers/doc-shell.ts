/**
 * Runs the shell lines of the README and docs/ as a reader does: each line, byte for byte, in bash, one
 * after another in the same folder and with the environment the earlier lines exported
 * (`export -p` is kept between lines, as one interactive shell would keep it). A line
 * ending in `&` starts something that keeps running: it runs in the background, its pid
 * is kept to stop it later, and it is ready when it prints "Ctrl-C stops it" (what
 * `checkout start` and `sim start` print once they serve). Every other line runs on a
 * pseudo-terminal (util-linux `script`), where the commands ask for passwords as they
 * would ask a person; the answers come from a table keyed by the prompt.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

/** The ```sh blocks between `## <heading>` and the next `## `, as lines (blank lines dropped). */
export function shellLines(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const next = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, next < 0 ? undefined : next);
  const lines: string[] = [];
  for (const block of section.matchAll(/\n```sh\n([\s\S]*?)\n```/g))
    lines.push(...block[1].split('\n').filter((l) => l.trim() !== ''));
  return lines;
}

/**
 * A sample session in a ```sh block: each command with the output shown under it as
 * `#   ` comment lines (lines that are only a comment are left out).
 */
export function sampleSession(markdown: string, heading: string): Array<{ line: string; output: string[] }> {
  const steps: Array<{ line: string; output: string[] }> = [];
  for (const l of shellLines(markdown, heading)) {
    if (l.startsWith('#   ')) steps.at(-1)?.output.push(l.slice(4));
    else if (!l.startsWith('#')) steps.push({ line: l, output: [] });
  }
  return steps;
}

/**
 * Waits until nothing listens on `ports` (loopback), up to `ms`. The walk-throughs use the
 * documented ports; another suite may hold one for a moment (test/sim/radio.test.ts tries
 * 2846 first), so wait it out rather than fail on a race.
 */
export async function portsFree(ports: readonly number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const busy: number[] = [];
    for (const port of ports) if (!(await canListen(port))) busy.push(port);
    if (busy.length === 0 || Date.now() > deadline) return busy;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `cmd &` or `cmd &   # comment`, not `a && b`. */
export function runsInBackground(line: string): boolean {
  return /(^|[^&])&\s*(#.*)?$/.test(line);
}

export interface LineRun {
  code: number | null;
  screen: string;
}

export interface ShellOptions {
  /** The reader's working folder. */
  cwd: string;
  /** Where the step scripts and the kept environment live (outside cwd). */
  scratch: string;
  env: NodeJS.ProcessEnv;
  /** Prompt (the screen's last line, ending in ": ") → what the person types. */
  answers: ReadonlyArray<readonly [RegExp, string]>;
  timeoutMs: number;
}

export class DocShell {
  private step = 0;
  private readonly envFile: string;
  readonly background: number[] = [];

  constructor(private readonly o: ShellOptions) {
    this.envFile = join(o.scratch, 'env.sh');
    writeFileSync(this.envFile, '');
  }

  /** The line in a script of its own: the kept environment first, the line, then the environment kept again. */
  private script(line: string, after: string): string {
    const file = join(this.o.scratch, `step-${++this.step}.sh`);
    writeFileSync(file, `. '${this.envFile}'\n${line}\n${after}\n`);
    return file;
  }

  /** Runs a foreground line on a pseudo-terminal, answering its prompts; resolves with its exit code and screen. */
  run(line: string): Promise<LineRun> {
    const file = this.script(line, `__rc=$?\nexport -p > '${this.envFile}'\nexit $__rc`);
    const child = spawn('script', ['-qec', `bash '${file}'`, '/dev/null'], {
      cwd: this.o.cwd,
      env: this.o.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let answeredTo = 0;
    let last = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`timed out after ${this.o.timeoutMs} ms: ${line}\n${screen}`));
      }, this.o.timeoutMs);
      child.stdout.on('data', (d) => {
        screen += String(d);
        // The last line on the screen (after a spinner's \r too), without colour codes.
        const tail =
          screen
            .slice(answeredTo)
            .split(/[\r\n]/)
            .pop() ?? '';
        const prompt = stripVTControlCharacters(tail);
        if (!/: $/.test(prompt)) return;
        answeredTo = screen.length;
        const found = /^Type it again/.test(prompt) ? last : this.o.answers.find(([p]) => p.test(prompt))?.[1];
        if (found === undefined) {
          child.kill('SIGKILL');
          reject(new Error(`no answer for the prompt "${prompt}" of: ${line}`));
          return;
        }
        last = found;
        // A person reads the prompt first; the command turns off echo right after printing it.
        setTimeout(() => child.stdin.write(`${found}\r`), 50);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, screen: screen.replace(/\r\n/g, '\n') });
      });
    });
  }

  /** Starts a line ending in `&`; resolves once it is ready, keeping the pid bash reports as $!. */
  start(line: string): Promise<string> {
    const file = this.script(line, 'echo "doc-shell pid $!"');
    const child = spawn('bash', [file], { cwd: this.o.cwd, env: this.o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready after ${this.o.timeoutMs} ms: ${line}\n${output}`)),
        this.o.timeoutMs,
      );
      const seen = (d: Buffer): void => {
        output += String(d);
        const pid = /doc-shell pid (\d+)/.exec(output);
        if (pid && !this.background.includes(Number(pid[1]))) this.background.push(Number(pid[1]));
        if (pid && output.includes('Ctrl-C stops it')) {
          clearTimeout(timer);
          resolve(output);
        }
      };
      child.stdout.on('data', seen);
      child.stderr.on('data', seen);
    });
  }

  /** SIGTERM to every background pid, then waits (up to 10 s) for each to be gone. */
  async stop(): Promise<void> {
    for (const pid of this.background) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    const deadline = Date.now() + 10_000;
    while (this.background.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
