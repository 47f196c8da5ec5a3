/**
 * `npm run bench [-- --quick] [-- --json]`: every benchmark in one run, side by side (the
 * machine's speed drifts, so comparisons are only made within a run). Writes BENCHMARKS.md
 * with the figures, the machine and the command; `--json` prints one JSON object.
 */
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { benchCrypto } from './bench-crypto.ts';
import { benchToken } from './bench/token.ts';
import { benchFirmware } from './bench/firmware.ts';
import { createNobleProvider } from '../shared/crypto/noble-provider.ts';
import { createNodeProvider } from '../shared/crypto/node-provider.ts';
import { renderBenchmarks } from './bench/report.ts';

export interface BenchResults {
  machine: { cpu: string; cores: number; memoryGiB: number; node: string };
  command: string;
  date: string;
  crypto: Record<string, number>;
  token: Record<string, number>;
  verify: { oursPerSecond: number; independentPerSecond: number; ratio: number };
  firmware: Record<string, number>;
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const json = argv.includes('--json');
  const ms = quick ? 300 : 1500;
  const log = (s: string) => {
    if (!json) process.stderr.write(s + '\n');
  };
  log('crypto providers…');
  const crypto = await benchCrypto({ quick });
  log('payment tokens…');
  const token = benchToken({ node: createNodeProvider(), noble: createNobleProvider() }, ms);
  log('firmware image and QuickJS heap…');
  const firmware = await benchFirmware({ quick });
  const results: BenchResults = {
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    command: 'npm run bench' + (quick ? ' -- --quick' : ''),
    date: new Date().toISOString(),
    crypto,
    token,
    verify: {
      oursPerSecond: token['node.tokenVerify'],
      independentPerSecond: token['independent.coseJsVerify'],
      ratio: Math.round((token['node.tokenVerify'] / token['independent.coseJsVerify']) * 100) / 100,
    },
    firmware,
  };
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), renderBenchmarks(results));
  if (json) process.stdout.write(JSON.stringify(results) + '\n');
  else log('wrote BENCHMARKS.md');
}

await main(process.argv.slice(2));
