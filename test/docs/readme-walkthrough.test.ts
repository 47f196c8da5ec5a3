/**
 * The README's walk-through, run as written (issue 14, item 2): every line of its ```sh
 * blocks, byte for byte and in order, in bash in a fresh folder, each must exit 0. A README
 * line that stops working fails here.
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
 * The checkout and the simulator listen on the README's ports (8420, 2846, 2847).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { needs, requirements } from '../support/requirements.ts';
import { ReadmeShell, runsInBackground, shellLines } from './helpers/readme-shell.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

const ANSWERS = [
  [/^Password for alice\b/, 'alice in wonderland'],
  [/^Six-digit payment password/, '135790'],
  [/^Payment password for alice/, '135790'],
  [/^Password for teahouse\b/, 'tea house password'],
] as const;

function shim(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

needs(requirements.script, requirements.bandImage).describe('the README walk-through', () => {
  let tmp: string;
  let shell: ReadmeShell;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'wristpay-readme-'));
    const [work, bin, scratch, home] = ['work', 'bin', 'scratch', 'home'].map((d) => join(tmp, d));
    for (const d of [work, bin, scratch, home]) mkdirSync(d);
    symlinkSync(join(ROOT, 'dist'), join(work, 'dist'));
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
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, HOME: home };
    env.XDG_CONFIG_HOME = join(home, '.config');
    delete env.WRISTPAY_CHECKOUT;
    delete env.WRISTPAY_STATE;
    shell = new ReadmeShell({ cwd: work, scratch, env, answers: ANSWERS, timeoutMs: 30_000 });
  });

  afterAll(async () => {
    await shell?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('every line of its sh blocks runs, in order, and exits 0', { timeout: 240_000 }, async () => {
    const lines = shellLines(README, 'Walk-throughs');
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
    for (const line of lines) {
      if (runsInBackground(line)) {
        await shell.start(line);
        continue;
      }
      const r = await shell.run(line);
      expect(r.code, `${line}\n${r.screen}`).toBe(0);
    }
    expect(shell.background).toHaveLength(2);
  });
});
