/** Renders BENCHMARKS.md from one bench run. */
import type { BenchResults } from './results.ts';
import { renderCheckoutSections } from './checkout-report.ts';
import { renderRelayLoadLatency } from './relay-load-latency.ts';
import { renderScale } from './scale-report.ts';
import { HEAP_BUDGET_BYTES } from '../../tools/image/pipeline.ts';

function table(rows: Array<[string, string | number]>, head: [string, string]): string {
  const fmt = (v: string | number) => (typeof v === 'number' ? v.toLocaleString('en-US') : v);
  return [`| ${head[0]} | ${head[1]} |`, '|---|---:|', ...rows.map(([k, v]) => `| ${k} | ${fmt(v)} |`)].join('\n');
}

export function renderBenchmarks(r: BenchResults, previous = ''): string {
  const ops = (prefix: string) =>
    Object.entries(r.crypto)
      .filter(([k]) => k.startsWith(prefix + '.'))
      .map(([k, v]) => [k.slice(prefix.length + 1), v] as [string, number]);
  const providerRows: Array<[string, string | number]> = ops('node').map(([op, v]) => [
    op,
    `${v.toLocaleString('en-US')} / ${(r.crypto['noble.' + op] ?? 0).toLocaleString('en-US')}`,
  ]);
  return `# Benchmarks

Produced by \`${r.command}\` on ${r.date.slice(0, 10)}: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}.
Every comparison below was measured side by side in this one run (the machine's speed drifts between runs).
Throughput is the best of three slices, in operations per second.

## Crypto providers (ops/s, node:crypto / @noble)

${table(providerRows, ['operation', 'node / noble'])}

node:crypto is the default provider (\`shared/crypto/default-provider.ts\`).

## Payment token (ops/s)

${table(Object.entries(r.token), ['operation', 'ops/s'])}

Our verifier (node provider, all guard clauses and claim checks) against cose-js verifying the
same token's signature alone: **${r.verify.ratio}×** (${r.verify.oursPerSecond.toLocaleString('en-US')} vs ${r.verify.independentPerSecond.toLocaleString('en-US')} ops/s).

## Firmware

${table(Object.entries(r.firmware), ['figure', 'value'])}

Image bytes are exact counts of \`dist/band.js\` (the budget, 44 KiB minified, is enforced by \`npm run build\`).
QuickJS heap is "memory used" from \`dumpMemoryUsage\` (not \`setMemoryLimit\`, which counts allocations),
with the band's engine profile (\`sim/engine/quickjs-profile.ts\`: no function source or line tables, only the
image profile's intrinsics). ${heapVerdict(r.firmware)}

## CLI start

${table(Object.entries(r.cli), ['figure', 'value'])}

\`helpMs\` is the median wall time of ${r.cli.helpRuns} runs of \`node bin/wristpay.js --help\`, each a fresh process
from spawn to exit, after one warm-up run: the compiled CLI in \`dist/lib\`, which loads commander and the
groups' summaries but no command group (\`cli/groups.ts\`).

${renderCheckoutSections(r, previous)}
${renderScale(r.scale, r.command, r.date, r.machine.loadAverage)}
${renderRelayLoadLatency(r.relayLoadLatency, previous)}`;
}

/** The heap budget after 100 payments (HEAP_BUDGET_BYTES), and no growth from 10 to 100. */
function heapVerdict(f: Record<string, number>): string {
  const budget = HEAP_BUDGET_BYTES;
  const after = f.heapAfter100PaymentsBytes;
  const growth = after - f.heapAfter10PaymentsBytes;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return `Budget: ${fmt(budget)} bytes after 100 payments: **${after <= budget ? 'met' : 'not met'}** (${fmt(after)}); growth from 10 to 100 payments: ${fmt(growth)} bytes (the ledger integers' CBOR bytes).`;
}
