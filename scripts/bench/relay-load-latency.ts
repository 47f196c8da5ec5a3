/**
 * The issue-6 sections of `npm run bench` in one call, so scripts/bench.ts and report.ts
 * each need one line: the hostile relay (relay.ts, also written into docs/ADVERSARIAL.md),
 * load (load.ts) and latency + air (latency.ts).
 */
import { relaySection, writeAdversarialDoc } from './relay-report.ts';
import { benchRelay, type RelayBench } from './relay.ts';
import { benchLoad, renderLoad } from './load.ts';
import { benchLatency, type LatencyResults } from './latency.ts';
import { renderLatency } from './latency-report.ts';
import type { LoadResult } from '../../harness/load/load-run.ts';

export interface RelayLoadLatency {
  relay: RelayBench;
  load: LoadResult;
  latency: LatencyResults;
  long: boolean;
}

export async function benchRelayLoadLatency(opts: {
  quick: boolean;
  long: boolean;
  command: string;
  log: (s: string) => void;
}): Promise<RelayLoadLatency> {
  opts.log('hostile relay (every message of a payment)…');
  const relay = await benchRelay({ quick: opts.quick, log: opts.log });
  writeAdversarialDoc(
    new URL('../../docs/ADVERSARIAL.md', import.meta.url),
    relay.inProcess,
    relay.sim,
    opts.command,
    new Date().toISOString(),
  );
  opts.log(`load (${opts.long ? '200 × 20' : opts.quick ? '20 × 5' : '50 × 10'} through the simulator)…`);
  const load = await benchLoad({ quick: opts.quick, long: opts.long });
  opts.log('latency and air over the link model…');
  const latency = await benchLatency({ quick: opts.quick, log: opts.log });
  return { relay, load, latency, long: opts.long };
}

const LONG_START = '<!-- load-long:start -->';
const LONG_END = '<!-- load-long:end -->';

/** The long run's load table is kept from the previous BENCHMARKS.md when this run is not --long. */
function longLoad(r: RelayLoadLatency, previous: string): string {
  if (r.long) return `${LONG_START}\n### Long run (\`npm run bench -- --long\`)\n\n${renderLoad(r.load)}\n${LONG_END}`;
  const a = previous.indexOf(LONG_START);
  const b = previous.indexOf(LONG_END);
  return a >= 0 && b > a
    ? previous.slice(a, b + LONG_END.length)
    : `${LONG_START}\n(No \`--long\` run recorded yet: it runs 200 bands × 20 payments.)\n${LONG_END}`;
}

export function renderRelayLoadLatency(r: RelayLoadLatency | undefined, previous = ''): string {
  if (!r) return '';
  return `## Hostile relay (message × attack: tried / accepted)

A relay under test control between the real checkout (HTTP, SQLite) and two bands
(\`test/adversarial/\`, docs/ADVERSARIAL.md).

${relaySection(r.relay.inProcess)}
${r.relay.sim ? `\n### The same relay in front of simulated bands\n\n${relaySection(r.relay.sim)}\n` : ''}
## Load

Simulated bands (the real image in QuickJS, 16 per simulator) paying concurrently through the
bridge's charge flow (noble websocket transports, relay sessions) into one checkout, all in this
one Node process (\`test/load/\`). The ledger is read from the SQLite file afterwards.
${r.long ? '' : `\n### This run\n\n${renderLoad(r.load)}\n`}
${longLoad(r, previous)}

Under full load the run is CPU-bound on one event loop (every band's QuickJS, every bridge and
the checkout share it): throughput is the figure; per-charge latency here is queueing, not air
(see the latency section for one payment at a time).

${renderLatency(r.latency)}
`;
}
