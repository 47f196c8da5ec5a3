/** `npm run bench -- --only link` replaces its own sections of BENCHMARKS.md and nothing else. */
import { describe, expect, it } from 'vitest';
import { spliceLatency } from '../../scripts/bench/link-report.ts';

const mine =
  '## Latency (trade create → ledger commit)\n\nnew\n\n## Radio round trips (websocket and HCI)\n\nnew rtt\n';

describe('spliceLatency', () => {
  it('replaces the latency, air, link table and round-trip sections, keeping what comes before and after', () => {
    const previous =
      '# Benchmarks\n\n## Load\n\nload\n\n## Latency (trade create → ledger commit)\n\nold\n\n## Air per payment\n\nold air\n\n## Link table\n\nold table\n\n## Later\n\nkept\n';
    expect(spliceLatency(previous, mine)).toBe(`# Benchmarks\n\n## Load\n\nload\n\n${mine}\n## Later\n\nkept\n`);
  });

  it('replaces them at the end of the file, and adds them to a file without them', () => {
    const previous = '# Benchmarks\n\n## Latency (trade create → ledger commit)\n\nold\n\n## Link table\n\nold\n';
    expect(spliceLatency(previous, mine)).toBe(`# Benchmarks\n\n${mine}`);
    expect(spliceLatency('# Benchmarks\n', mine)).toBe(`# Benchmarks\n\n${mine}`);
  });
});
