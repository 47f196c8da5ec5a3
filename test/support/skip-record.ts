/**
 * What a suite skipped for a missing requirement tells the end-of-run summary. It travels
 * as the suite's task meta: vitest serialises meta from the forked worker that collected
 * the suite to the main process, where the reporter reads it (./skipped-summary.ts).
 */

/** What provides a requirement: a Debian package, or a command run in the clone. */
export type Install = { readonly apt: string } | { readonly run: string };

export interface MissingRequirement {
  readonly name: string;
  readonly install: Install;
}

declare module 'vitest' {
  interface TaskMeta {
    /** Set only on a suite or test skipped because these were missing (never in CI). */
    missing?: MissingRequirement[];
  }
}

/** One shell line that provides all of `installs`: the apt packages in one apt-get, then each command once. */
export function installCommand(installs: readonly Install[]): string {
  const apt = new Set<string>();
  const run = new Set<string>();
  for (const i of installs) {
    if ('apt' in i) apt.add(i.apt);
    else run.add(i.run);
  }
  const steps = apt.size > 0 ? [`sudo apt-get install ${[...apt].join(' ')}`] : [];
  return [...steps, ...run].join(' && ');
}
