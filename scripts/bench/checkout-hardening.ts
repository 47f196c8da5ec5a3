/**
 * `npm run bench -- --long`: the hardening tests (test/hardening/) at ten times their CI
 * size (WRISTPAY_HARDENING=long), run by vitest in a child process. Each test file writes
 * its figures (cases tried, statuses seen, kills, retries) to a JSON file; this collects
 * them with each file's runtime and outcome for BENCHMARKS.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HardeningFile {
  file: string;
  passed: boolean;
  tests: number;
  seconds: number;
  failures: string[];
}
export interface HardeningResults {
  command: string;
  files: HardeningFile[];
  figures: Record<string, Record<string, unknown>>;
}

interface VitestJson {
  testResults: Array<{
    name: string;
    status: string;
    startTime: number;
    endTime: number;
    assertionResults: Array<{ status: string; title: string; failureMessages: string[] }>;
  }>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function runHardening(log: (s: string) => void): HardeningResults {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-hardening-'));
  try {
    const out = join(dir, 'vitest.json');
    const args = [
      'run',
      'test/hardening',
      // The PostgreSQL scale-out and fault suites (issue 13): 200 bands × 20 payments in long mode.
      'test/scale',
      '--testTimeout=900000',
      '--hookTimeout=120000',
      '--reporter=json',
      `--outputFile=${out}`,
    ];
    log(`hardening (long): vitest ${args.join(' ')}`);
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, WRISTPAY_HARDENING: 'long', WRISTPAY_HARDENING_REPORT_DIR: join(dir, 'figures') },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 30 * 60_000,
    });
    if (r.error) throw r.error;
    const json = JSON.parse(readFileSync(out, 'utf8')) as VitestJson;
    const files = json.testResults.map((t) => ({
      file: relative(ROOT, t.name),
      passed: t.status === 'passed',
      tests: t.assertionResults.length,
      seconds: Math.round((t.endTime - t.startTime) / 100) / 10,
      failures: t.assertionResults
        .filter((a) => a.status === 'failed')
        .map((a) => `${a.title}: ${(a.failureMessages[0] ?? '').split('\n')[0]}`),
    }));
    for (const f of files) for (const why of f.failures) log(`hardening FAILED ${f.file}: ${why}`);
    const figures: HardeningResults['figures'] = {};
    for (const f of readdirSync(join(dir, 'figures'))) {
      const v = JSON.parse(readFileSync(join(dir, 'figures', f), 'utf8')) as Record<string, unknown>;
      figures[String(v.name)] = v;
    }
    return {
      command: 'WRISTPAY_HARDENING=long vitest run test/hardening (via npm run bench -- --long)',
      files,
      figures,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
