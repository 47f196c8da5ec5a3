/**
 * Progress on a terminal (issue 14, item 17): `checkout start` until it listens, `sim start`
 * while the band boots, a bridge command scanning for bands and the demo's steps show a
 * spinner on stderr when stdout and stderr are a terminal (a pseudo-terminal from
 * util-linux `script`, test/support/requirements.ts), and nothing of it when piped or with
 * --json: there the output is exactly the normal lines.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnOnTerminal } from '../support/pseudo-terminal.ts';
import { needs, requirements } from '../support/requirements.ts';
import { BIN, wristpay } from './helpers/process.ts';

/** How cli/spinner.ts starts each frame (and clears its line): back to the line's start, erase it. */
const CLEAR = '\r\u001b[2K';
const DOTS = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** A spinner frame showing `text`. */
const framed = (screen: string, text: string): boolean => DOTS.some((d) => screen.includes(`${CLEAR}${d} ${text}`));
/** Nothing a terminal would interpret: no escape sequence, no carriage return. */
const plain = (text: string): boolean => !text.includes('\u001b') && !text.includes('\r');
const env = { WRISTPAY_CHECKOUT: '', WRISTPAY_STATE: '', WRISTPAY_RADIO: '' };

interface Run {
  code: number | null;
  /** On a terminal: everything the screen got, stdout and stderr together. Piped: stdout. */
  stdout: string;
  stderr: string;
}

/**
 * Runs `wristpay args`, on a pseudo-terminal or with piped streams; once the output matches
 * `until` it presses Ctrl-C (terminal) or sends SIGINT (piped), as a person ends `start`.
 */
function run(args: string[], opts: { tty: boolean; until?: RegExp }): Promise<Run> {
  const child = opts.tty
    ? spawnOnTerminal([process.execPath, BIN, ...args], env)
    : spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  let stopped = false;
  child.stdout.on('data', (d) => {
    stdout += String(d);
    if (!opts.until || stopped || !opts.until.test(stdout)) return;
    stopped = true;
    if (opts.tty) child.stdin.write('\x03');
    else child.kill('SIGINT');
  });
  child.stderr.on('data', (d) => (stderr += String(d)));
  if (!opts.tty) child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

needs(requirements.script, requirements.bandImage).describe('progress on a terminal, none when piped or --json', () => {
  let dir: string;
  let sim: ReturnType<typeof spawn>;
  let radio: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wristpay-progress-'));
    for (const band of ['band', 'scanned'])
      expect((await wristpay(['sim', 'flash', 'dist/band.img', '--state', join(dir, band)])).code).toBe(0);
    // A simulator for the scans, started as a script would (piped).
    sim = spawn(process.execPath, [
      BIN,
      'sim',
      'start',
      '--state',
      join(dir, 'scanned'),
      '--radio-port',
      '0',
      '--ui-port',
      '0',
    ]);
    radio = await new Promise<string>((resolve) => {
      let text = '';
      sim.stdout?.on('data', (d) => {
        text += String(d);
        const m = /radio {3}(ws:\/\/\S+)/.exec(text);
        if (m) resolve(m[1]);
      });
    });
  });
  afterAll(async () => {
    sim?.kill('SIGINT');
    await new Promise((resolve) => sim?.on('close', resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const checkoutStart = (db: string, ...more: string[]) => [
    'checkout',
    'start',
    '--db',
    join(dir, db),
    '--port',
    '0',
    ...more,
  ];
  const simStart = (...more: string[]) => [
    'sim',
    'start',
    '--state',
    join(dir, 'band'),
    '--radio-port',
    '0',
    '--ui-port',
    '0',
    ...more,
  ];
  const scan = (...more: string[]) => [
    'bridge',
    'status',
    '--radio',
    radio,
    '--scan-ms',
    '300',
    '--config',
    join(dir, 'bridge.json'),
    ...more,
  ];

  it('checkout start: a spinner while the database opens, gone before it says it listens', async () => {
    const r = await run(checkoutStart('tty.db'), { tty: true, until: /checkout listening on/ });
    expect(r.code, r.stdout).toBe(0);
    expect(framed(r.stdout, `Opening ${join(dir, 'tty.db')}…`), r.stdout).toBe(true);
    // Cleared before the server's first log line (stderr), so that line starts clean.
    expect(r.stdout).toContain(`${CLEAR}{"level"`);
  });

  it('checkout start piped, and with --json on a terminal: only the normal output', async () => {
    const piped = await run(checkoutStart('piped.db'), { tty: false, until: /checkout listening on/ });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(
      /^checkout listening on http:\/\/127\.0\.0\.1:\d+ \(state in \S+\); Ctrl-C stops it\ncheckout stopped \(SIGINT\)\n$/,
    );
    expect(plain(piped.stderr) && !piped.stderr.includes('Opening'), piped.stderr).toBe(true);

    const json = await run(checkoutStart('json.db', '--json'), { tty: true, until: /"event":"listening"/ });
    expect(json.code).toBe(0);
    expect(json.stdout.includes('\u001b') || json.stdout.includes('Opening'), json.stdout).toBe(false);
  });

  it('sim start: a spinner while the band boots; piped, the same lines without it', async () => {
    const tty = await run(simStart(), { tty: true, until: /Ctrl-C stops it/ });
    expect(tty.code, tty.stdout).toBe(0);
    expect(framed(tty.stdout, `Booting the band from ${join(dir, 'band')}…`), tty.stdout).toBe(true);
    // The firmware's own log line clears the spinner's line before it is printed.
    expect(tty.stdout).toContain(`${CLEAR}band 1: booted`);

    const piped = await run(simStart(), { tty: false, until: /Ctrl-C stops it/ });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/^band 1: booted .*\nband simulator on /);
    expect(plain(piped.stdout + piped.stderr) && !piped.stderr.includes('Booting')).toBe(true);
  });

  it('waiting for a band: a spinner counting the bands found; piped and --json, none', async () => {
    const tty = await run(scan(), { tty: true });
    expect(tty.code, tty.stdout).toBe(0);
    expect(framed(tty.stdout, `Looking for bands (simulator at ${radio})… 1 found`), tty.stdout).toBe(true);

    const piped = await run(scan(), { tty: false });
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('1 band nearby:\n' + piped.stderr.split('\n').slice(1).join('\n'));
    expect(plain(piped.stdout + piped.stderr) && !piped.stderr.includes('Looking for bands')).toBe(true);

    const json = await run(scan('--json'), { tty: true });
    expect(json.code).toBe(0);
    expect(json.stdout.includes('\u001b') || json.stdout.includes('Looking for bands'), json.stdout).toBe(false);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ ok: true });
  });

  it('the demo: a spinner between its steps on a terminal; with --json one object per line and nothing else', async () => {
    const tty = await run(['demo'], { tty: true });
    expect(tty.code, tty.stdout).toBe(0);
    expect(framed(tty.stdout, 'booting the simulated band'), tty.stdout).toBe(true);
    expect(framed(tty.stdout, 'step 2…')).toBe(true);
    // Every numbered line starts on a cleared line, never after a spinner frame.
    expect(tty.stdout).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] [^\r]*\d+\. [✓✗]/);

    const json = await run(['demo', '--json'], { tty: true });
    expect(json.code).toBe(0);
    const lines = json.stdout.replace(/\r\n/g, '\n').trim().split('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
  });
});
