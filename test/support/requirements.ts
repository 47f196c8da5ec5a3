/**
 * What some suites need from the machine beyond node_modules, each named once: how to tell
 * it is there and what provides it. A suite says `needs(requirements.duk).describe(…)`.
 *
 * In CI (env CI set) a missing requirement fails the suite with the install command: CI
 * provides every one (.ci/run installs the tools, `npm test` builds the image), so a skip
 * there would hide a broken setup. Elsewhere the suite is skipped and records why in its
 * task meta, and `npm test` ends with the list of skipped suites and the one command that
 * provides what they need (./skipped-summary.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { CHROMIUM, DUK, toolPresent } from '../../cli/doctor/test-tools.ts';
import { postgresBinDir } from '../../harness/postgres/local-server.ts';
import { type Install, installCommand, type MissingRequirement } from './skip-record.ts';

export interface Requirement {
  /** Short name for messages: "needs duk". */
  readonly name: string;
  /** What the probe looks for, as the failure message says it. */
  readonly what: string;
  readonly probe: () => boolean;
  readonly install: Install;
}

// The same paths and probe `wristpay doctor` uses, so it reports what these suites will find.
export { CHROMIUM };

export const requirements = {
  duk: { name: 'duk', what: `Duktape 2.7 at ${DUK}`, probe: () => toolPresent(DUK), install: { apt: 'duktape' } },
  chromium: {
    name: 'chromium',
    what: `Chromium at ${CHROMIUM}`,
    probe: () => toolPresent(CHROMIUM),
    install: { apt: 'chromium' },
  },
  // util-linux `script` gives a child process a pseudo-terminal; node has none built in.
  script: {
    name: 'script',
    what: '`script` from util-linux on PATH',
    probe: () => spawnSync('script', ['--version']).status === 0,
    install: { apt: 'bsdutils' },
  },
  // The HTTPS tests make a throw-away certificate with it.
  openssl: {
    name: 'openssl',
    what: '`openssl` on PATH',
    probe: () => spawnSync('openssl', ['version']).status === 0,
    install: { apt: 'openssl' },
  },
  // The PostgreSQL store's suites start a throw-away server of the system's PostgreSQL.
  postgres: {
    name: 'postgres',
    what: 'PostgreSQL server binaries (Debian: /usr/lib/postgresql/N/bin, or PG_BIN)',
    probe: () => postgresBinDir() !== undefined,
    install: { apt: 'postgresql' },
  },
  // Paths relative to the working directory, as `wristpay sim flash dist/band.img` takes them.
  bandImage: {
    name: 'dist/band.img',
    what: 'the built image dist/band.img and dist/vendor-pub.json',
    probe: () => existsSync('dist/band.img') && existsSync('dist/vendor-pub.json'),
    install: { run: 'npm run build' },
  },
} as const satisfies Record<string, Requirement>;

/** CI=false and CI=0 say "not CI", as most tools read it. */
export function inCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

const probed = new Map<Requirement, boolean>();
function present(r: Requirement): boolean {
  if (!probed.has(r)) probed.set(r, r.probe());
  return probed.get(r) as boolean;
}

function missingError(missing: readonly Requirement[]): Error {
  const what = missing.map((r) => r.what).join(' and ');
  const error = new Error(
    `missing ${what}. CI fails rather than skips a suite that needs it; provide it with: ${installCommand(missing.map((r) => r.install))}`,
  );
  // The stack would point into this file, not at anything the reader should fix.
  error.stack = `Error: ${error.message}`;
  return error;
}

function skipMeta(missing: readonly Requirement[]): { missing: MissingRequirement[] } {
  return { missing: missing.map((r) => ({ name: r.name, install: r.install })) };
}

/** `describe` and `it` that run when every one of `reqs` is there, and otherwise fail (CI) or skip and say so. */
export function needs(...reqs: Requirement[]) {
  const missing = reqs.filter((r) => !present(r));
  const label = `needs ${missing.map((r) => r.name).join(' and ')}`;
  return {
    describe(name: string, body: () => void): void {
      if (missing.length === 0) describe(name, body);
      else if (inCI())
        describe(name, () =>
          it(label, () => {
            throw missingError(missing);
          }),
        );
      else describe(name, { skip: true, meta: skipMeta(missing) }, body);
    },
    it(name: string, body: () => unknown): void {
      if (missing.length === 0) it(name, body);
      else if (inCI())
        it(name, () => {
          throw missingError(missing);
        });
      else it(name, { skip: true, meta: skipMeta(missing) }, body);
    },
  };
}
