/**
 * ./requirements.ts and ./skipped-summary.ts from the outside: a tiny vitest project
 * (test/fixtures/requirements/) whose suites need a binary and a file that do not exist,
 * run as a child process the way `npm test` runs. With CI set it must fail and name the
 * install command; without, it must pass, skip exactly those suites and end with the list
 * and the one command that provides everything.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inCI } from './requirements.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/requirements/', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

function runFixture(ci: string | undefined): { code: number | null; out: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  // This process is itself a vitest worker; the child must start as a fresh `vitest run`.
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'FORCE_COLOR') delete env[key];
  if (ci === undefined) delete env.CI;
  else env.CI = ci;
  const r = spawnSync(process.execPath, [VITEST, 'run'], { cwd: FIXTURE, env, encoding: 'utf8', timeout: 50_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('a suite that needs what the machine lacks', () => {
  it('fails in CI, naming what is missing and the command that provides it', () => {
    const { code, out } = runFixture('true');
    expect(code, out).toBe(1);
    expect(out).toContain('Tests  2 failed | 2 passed (4)');
    expect(out).toContain('a suite that needs the ghost tool > needs ghost-tool');
    expect(out).toContain(
      'missing wristpay-ghost-tool on PATH. CI fails rather than skips a suite that needs it; provide it with: sudo apt-get install wristpay-ghost',
    );
    expect(out).toContain('missing wristpay-ghost-tool on PATH and the built ghost.img.');
    expect(out).toContain('provide it with: sudo apt-get install wristpay-ghost && npm run ghost-build');
    expect(out).not.toContain('skipped:');
  });

  it('skips outside CI and ends with what it skipped and the one command that provides it', () => {
    const { code, out } = runFixture(undefined);
    expect(code, out).toBe(0);
    expect(out).toContain('Tests  2 passed | 2 skipped (4)');
    const summary = out.slice(out.indexOf('Duration'));
    expect(summary).toContain(
      'skipped: needs-ghost.fixture.ts > a suite that needs the ghost tool (needs ghost-tool: sudo apt-get install wristpay-ghost)\n',
    );
    expect(summary).toContain(
      'skipped: needs-ghost.fixture.ts > a test that needs the tool and the image (needs ghost-tool: sudo apt-get install wristpay-ghost; needs ghost.img: npm run ghost-build)\n',
    );
    expect(summary).toContain(
      'to run them (CI fails instead of skipping): sudo apt-get install wristpay-ghost && npm run ghost-build\n',
    );
  });

  it('reads CI=false and CI=0 as not CI, as most tools do', () => {
    const saved = process.env.CI;
    try {
      const verdicts: Record<string, boolean> = {};
      for (const value of ['true', '1', 'false', '0', '']) {
        process.env.CI = value;
        verdicts[value] = inCI();
      }
      expect(verdicts).toEqual({ true: true, 1: true, false: false, 0: false, '': false });
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
