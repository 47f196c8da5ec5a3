/**
 * The package root: the nearest folder above this module with a package.json. The CLI runs
 * from cli/ in a clone (tsx, vitest) and from dist/lib/cli/ once compiled, so a fixed
 * number of `../` would be right in only one of them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** The Node versions package.json's `engines` asks for (e.g. ">=20"), if it says. */
export function nodeEngine(): string | undefined {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    engines?: { node?: string };
  };
  return pkg.engines?.node;
}
