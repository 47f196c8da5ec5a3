/**
 * CLI start: how long `wristpay --help` takes as a user sees it, a fresh `node
 * bin/wristpay.js --help` process from spawn to exit, over the compiled CLI in dist/lib
 * (`npm run bench` builds it first). The median, since a shared machine's runs scatter.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/wristpay.js', import.meta.url));

function helpOnce(): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`cli bench: wristpay --help exited ${r.status}: ${r.stderr}`);
  return ms;
}

export function benchCli(opts: { quick: boolean }): Record<string, number> {
  const runs = opts.quick ? 9 : 21;
  helpOnce(); // Warm-up: the first run reads the files from disk, later ones from the page cache.
  const times = Array.from({ length: runs }, helpOnce).sort((a, b) => a - b);
  return { helpMs: Math.round(times[(runs - 1) / 2]), helpRuns: runs };
}
