/**
 * The walk-throughs, run as written (issue 14, item 2). README.md's: every line of its ```sh
 * blocks, byte for byte and in order, in bash in a fresh folder; each must exit 0, so a
 * README line that stops working fails here. docs/SIMULATOR.md's "flash and run": its two
 * commands run the same way and print what its sample shows, up to what differs per run
 * (serial, address, key id, sizes, paths).
 *
 * What stands in for the reader's machine, and only that:
 * - `npx wristpay …` is this checkout's bin: a `npx` on PATH that runs
 *   `node <repo>/bin/wristpay.js …` (and refuses anything else), so the compiled dist/lib of
 *   this checkout is what runs, as after `npm ci` in the repository.
 * - `npm run build` is a `npm` on PATH that checks dist/band.img is there and does nothing
 *   else: `npm test` built it before the tests, and rebuilding here would take a minute.
 *   The folder links `dist` to this checkout's dist/, so `dist/band.img` is its image.
 * - Passwords are typed at prompts on a pseudo-terminal, from ANSWERS below (keyed by prompt).
 * - HOME and XDG_CONFIG_HOME point into the temp folder: the bridge config is the test's own.
 * - SIMULATOR.md runs `sim start` in "another terminal": here, in the background.
 * Both use the documented ports (8420, 2846, 2847), one after the other.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs, requirements } from '../support/requirements.ts';
import { DocShell, portsFree, runsInBackground, sampleSession, shellLines } from './helpers/doc-shell.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PORTS = [8420, 2846, 2847];

const ANSWERS = [
  [/^Password for alice\b/, 'alice in wonderland'],
  [/^Six-digit payment password/, '135790'],
  [/^Payment password for alice/, '135790'],
  [/^Password for teahouse\b/, 'tea house password'],
] as const;

function shim(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

/** What differs from run to run (and machine to machine) in the simulator's output. */
function runFree(text: string, home: string): string {
  return text
    .replaceAll(home, '~')
    .replace(/\bWP-[0-9A-F]{4}-[0-9A-F]{4}\b/g, 'WP-SERIAL')
    .replace(/\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/g, 'ADDRESS')
    .replace(/\b[0-9a-f]{16}\b/g, 'KEY-ID')
    .replace(/\b\d+ bytes\b/g, 'N bytes');
}

needs(requirements.script, requirements.bandImage).describe('the walk-throughs', () => {
  let tmp: string;
  /** A reader's fresh folder with dist/ linked in, and the shims on PATH. */
  let reader: (name: string) => { cwd: string; scratch: string; home: string; env: NodeJS.ProcessEnv };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'wristpay-walkthrough-'));
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    shim(
      bin,
      'npx',
      `[ "$1" = wristpay ] || { echo "test npx: only wristpay, not $*" >&2; exit 127; }\nshift\nexec '${process.execPath}' '${join(ROOT, 'bin', 'wristpay.js')}' "$@"`,
    );
    shim(
      bin,
      'npm',
      `[ "$*" = "run build" ] || { echo "test npm: only run build, not $*" >&2; exit 127; }\n[ -f dist/band.img ] || { echo "no dist/band.img: npm run build in ${ROOT}" >&2; exit 1; }\necho "(test) dist/ is already built"`,
    );
    reader = (name) => {
      const [cwd, scratch, home] = ['work', 'scratch', 'home'].map((d) => join(tmp, name, d));
      for (const d of [cwd, scratch, home]) mkdirSync(d, { recursive: true });
      symlinkSync(join(ROOT, 'dist'), join(cwd, 'dist'));
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: home };
      env.XDG_CONFIG_HOME = join(home, '.config');
      for (const v of ['WRISTPAY_CHECKOUT', 'WRISTPAY_STATE', 'WRISTPAY_RADIO', 'XDG_DATA_HOME']) delete env[v];
      return { cwd, scratch, home, env };
    };
  });

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('README.md: every line of its sh blocks runs, in order, and exits 0', { timeout: 300_000 }, async () => {
    const lines = shellLines(readFileSync(join(ROOT, 'README.md'), 'utf8'), 'Walk-throughs');
    // The story the section tells: if it loses a part, this is where it shows.
    for (const part of [
      'checkout start',
      'sim flash',
      'bridge enroll',
      'bridge pair',
      'bridge refund',
      'bridge revoke',
    ])
      expect(
        lines.some((l) => l.includes(part)),
        part,
      ).toBe(true);
    expect(await portsFree(PORTS, 60_000), 'ports the README uses, still busy after 60 s').toEqual([]);
    const shell = new DocShell({ ...reader('readme'), answers: ANSWERS, timeoutMs: 30_000 });
    try {
      for (const line of lines) {
        if (runsInBackground(line)) {
          await shell.start(line);
          continue;
        }
        const r = await shell.run(line);
        expect(r.code, `${line}\n${r.screen}`).toBe(0);
      }
      expect(shell.background).toHaveLength(2);
    } finally {
      await shell.stop();
    }
  });

  it('docs/SIMULATOR.md: flash and start print what its sample shows', { timeout: 120_000 }, async () => {
    const steps = sampleSession(
      readFileSync(join(ROOT, 'docs', 'SIMULATOR.md'), 'utf8'),
      'Walk-through: flash and run',
    );
    const flash = steps.find((s) => s.line.startsWith('npx wristpay sim flash '));
    const start = steps.find((s) => s.line.startsWith('npx wristpay sim start'));
    expect(flash?.output.length).toBeGreaterThan(0);
    expect(start?.output.length).toBeGreaterThan(0);
    if (!flash || !start) return;
    expect(await portsFree(PORTS, 60_000), 'ports the simulator uses, still busy after 60 s').toEqual([]);
    const r = reader('simulator');
    const shell = new DocShell({ ...r, answers: [], timeoutMs: 30_000 });
    try {
      const flashed = await shell.run(flash.line);
      expect(flashed.code, flashed.screen).toBe(0);
      expect(runFree(flashed.screen, r.home)).toBe(runFree(`${flash.output.join('\n')}\n`, r.home));
      // "In one terminal": here in the background, its output up to the ready line.
      const started = (await shell.start(`${start.line} &`)).replace(/^doc-shell pid \d+\n/m, '');
      expect(runFree(started, r.home)).toBe(runFree(`${start.output.join('\n')}\n`, r.home));
    } finally {
      await shell.stop();
    }
  });
});
