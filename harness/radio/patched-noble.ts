/**
 * A copy of the installed @abandonware/noble with patches/@abandonware+noble+1.9.2-26.patch
 * applied (`git apply`, as patch-package would at install), loadable beside the stock one: the
 * copy's own dependencies are links to the installed packages, so its `require` of the HCI
 * socket package still finds what install-hci-socket.ts put in place. The tests load both
 * and show the patch fixes what the stock code gets wrong (docs/RADIO.md, "What noble got wrong").
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const NOBLE_PATCH = new URL('../../patches/@abandonware+noble+1.9.2-26.patch', import.meta.url).pathname;

/** Builds the patched copy under `dir` and returns its root (require `${root}/with-custom-binding.js`). */
export function patchedNoble(dir: string): string {
  const stock = dirname(require.resolve('@abandonware/noble/package.json'));
  const root = join(dir, 'node_modules', '@abandonware', 'noble');
  mkdirSync(root, { recursive: true });
  for (const part of ['package.json', 'index.js', 'with-custom-binding.js', 'lib']) {
    cpSync(join(stock, part), join(root, part), { recursive: true });
  }
  const from = createRequire(join(stock, 'package.json'));
  for (const dep of ['debug', '@abandonware/bluetooth-hci-socket']) {
    const at = join(dir, 'node_modules', dep);
    mkdirSync(dirname(at), { recursive: true });
    symlinkSync(dirname(from.resolve(`${dep}/package.json`)), at);
  }
  execFileSync('git', ['apply', '-p1', NOBLE_PATCH], { cwd: dir });
  return root;
}
