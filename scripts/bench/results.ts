/**
 * One bench run's figures: what scripts/bench.ts collects, BENCHMARKS.md shows (report.ts,
 * checkout-report.ts) and `--json` prints.
 */
import type { HardeningResults } from './checkout-hardening.ts';
import type { LatencyResults } from './latency.ts';
import type { RelayLoadLatency } from './relay-load-latency.ts';
import type { ScaleResults } from './scale.ts';

export interface BenchResults {
  machine: { cpu: string; cores: number; memoryGiB: number; node: string; loadAverage: number };
  command: string;
  date: string;
  crypto: Record<string, number>;
  token: Record<string, number>;
  verify: {
    oursPerSecond: number;
    independentPerSecond: number;
    ratio: number;
    /** SimpleWebAuthn verifyAuthenticationResponse, and ours measured beside it (alternating slices). */
    simpleWebAuthnPerSecond: number;
    oursBesideSimpleWebAuthnPerSecond: number;
    simpleWebAuthnRatio: number;
  };
  /** scripts/bench/firmware.ts; `heapBytes` is the heap after 100 payments (issue 6's name for it). */
  firmware: Record<string, number>;
  /** scripts/bench/cli.ts: helpMs, the median `wristpay --help` process, and helpRuns. */
  cli: Record<string, number>;
  /** The headline link figures, also inside relayLoadLatency.latency (ci 15 ms, MTU 185). */
  latency: LatencyResults['latency'];
  air: Omit<LatencyResults['air'], 'messages'>;
  /** scripts/bench/checkout.ts: paymentsPerSecond, answerFloorRatio, wholePaymentsPerSecond, paymentFloorRatio, … */
  checkout: Record<string, number>;
  /** scripts/bench/checkout-durability.ts: the ledger's synchronous = FULL beside NORMAL. */
  durability: Record<string, number>;
  /** scripts/bench/scale.ts: scale.sqlite1, scale.postgres1, scale.postgres2 (paymentsPerSecond, floorRatio, …). */
  scale: ScaleResults;
  /** Only with --long: the hardening tests' figures (else the last long run's section is kept). */
  hardening?: HardeningResults;
  /** scripts/bench/relay-load-latency.ts: hostile relay table, load, latency and air. */
  relayLoadLatency?: RelayLoadLatency;
}
