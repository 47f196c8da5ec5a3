/**
 * `npm run bench [-- --quick | --long] [-- --json]`: every benchmark in one run, side by side (the
 * machine's speed drifts, so comparisons are only made within a run). Writes BENCHMARKS.md
 * with the figures, the machine and the command; `--json` prints one JSON object. `--long`
 * also runs the checkout's bigger benchmarks and the hardening tests at ten times their size.
 * `--only scale` runs the scale-out section alone (its figures are compared within it) and
 * replaces just that section of BENCHMARKS.md; `--only checkout` likewise for the checkout
 * payments section (payments beside their crypto floors, scripts/bench/checkout.ts); `--only
 * link` for the latency, air, link table and radio round-trip sections (both link models).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { benchCrypto } from './bench-crypto.ts';
import { benchToken } from './bench/token.ts';
import { benchFirmware } from './bench/firmware.ts';
import { benchCli } from './bench/cli.ts';
import { createNobleProvider } from '../shared/crypto/noble-provider.ts';
import { createNodeProvider } from '../shared/crypto/node-provider.ts';
import { renderBenchmarks } from './bench/report.ts';
import { benchCheckout, checkoutBenchSizes } from './bench/checkout.ts';
import { benchDurability, durabilityBenchSizes } from './bench/checkout-durability.ts';
import { runHardening } from './bench/checkout-hardening.ts';
import { benchVerify } from './bench/verify.ts';
import { benchRelayLoadLatency } from './bench/relay-load-latency.ts';
import type { LatencyResults } from './bench/latency.ts';
import type { BenchResults } from './bench/results.ts';
import { type ScaleResults, benchScale, scaleBenchSizes } from './bench/scale.ts';
import { renderScale, spliceScale } from './bench/scale-report.ts';
import { renderCheckoutPayments, spliceCheckoutPayments } from './bench/checkout-report.ts';
import { benchLatency } from './bench/latency.ts';
import { renderLatency } from './bench/latency-report.ts';
import { spliceLatency } from './bench/link-report.ts';

/** The sections `--only` can run alone. */
const ONLY = ['scale', 'checkout', 'link'] as const;

/** Issue 18's names for the scale bench's http set-up, beside the in-process checkout figures. */
function httpFigures(scale: ScaleResults): Record<string, number> {
  return {
    'http.processPaymentsPerSecond': scale.http.processPaymentsPerSecond,
    'http.floorRatio': scale.http.floorRatio,
  };
}

function machineOf(load: number): BenchResults['machine'] {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverage: Math.round(load * 10) / 10,
  };
}

const BENCHMARKS = new URL('../BENCHMARKS.md', import.meta.url);

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const json = argv.includes('--json');
  const long = argv.includes('--long');
  const ms = quick ? 300 : 1500;
  const load = loadavg()[0];
  const log = (s: string) => {
    if (!json) process.stderr.write(s + '\n');
  };
  const size = long ? 'long' : quick ? 'quick' : 'normal';
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined) {
    if (!(ONLY as readonly string[]).includes(only)) throw new Error(`--only takes one of: ${ONLY.join(', ')}`);
    const command = `npm run bench -- --only ${only}${quick ? ' --quick' : long ? ' --long' : ''}`;
    if (only === 'checkout') return onlyCheckout(size, command, load, json, log);
    if (only === 'link') return onlyLink(command, quick, json, log);
    log('scale out: SQLite and PostgreSQL checkouts over HTTP, beside the crypto floor…');
    const scale = await benchScale(scaleBenchSizes[size], log);
    const machine = machineOf(load);
    const date = new Date().toISOString();
    const previous = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '';
    writeFileSync(BENCHMARKS, spliceScale(previous, renderScale(scale, command, date, machine.loadAverage)));
    if (json)
      process.stdout.write(JSON.stringify({ machine, command, date, scale, checkout: httpFigures(scale) }) + '\n');
    else log('wrote the scale section of BENCHMARKS.md');
    return;
  }
  log('crypto providers…');
  const crypto = await benchCrypto({ quick });
  log('payment tokens…');
  const token = benchToken({ node: createNodeProvider(), noble: createNobleProvider() }, ms);
  log('firmware image and QuickJS heap…');
  const firmware = await benchFirmware({ quick });
  log('CLI start (wristpay --help)…');
  const cli = benchCli({ quick });
  log('checkout payments and crypto floor…');
  const checkout = await benchCheckout(checkoutBenchSizes[size]);
  log('checkout durability (synchronous FULL beside NORMAL)…');
  const durability = await benchDurability(durabilityBenchSizes[size]);
  log('scale out: SQLite and PostgreSQL checkouts over HTTP, beside the crypto floor…');
  const scale = await benchScale(scaleBenchSizes[size], log);
  log('token verify beside SimpleWebAuthn…');
  const swa = await benchVerify(createNodeProvider(), ms);
  const hardening = long ? runHardening(log) : undefined;
  const command = 'npm run bench' + (quick ? ' -- --quick' : long ? ' -- --long' : '');
  const relayLoadLatency = await benchRelayLoadLatency({ quick, long, command, log });
  const results: BenchResults = {
    machine: machineOf(load),
    command: 'npm run bench' + (quick ? ' -- --quick' : long ? ' -- --long' : ''),
    date: new Date().toISOString(),
    crypto,
    token,
    verify: {
      oursPerSecond: token['node.tokenVerify'],
      independentPerSecond: token['independent.coseJsVerify'],
      ratio: Math.round((token['node.tokenVerify'] / token['independent.coseJsVerify']) * 100) / 100,
      simpleWebAuthnPerSecond: swa.simpleWebAuthn,
      oursBesideSimpleWebAuthnPerSecond: swa.ours,
      simpleWebAuthnRatio: Math.round((swa.ours / swa.simpleWebAuthn) * 100) / 100,
    },
    firmware: { ...firmware, heapBytes: firmware.heapAfter100PaymentsBytes },
    cli,
    latency: relayLoadLatency.latency.latency,
    air: airFigures(relayLoadLatency.latency.air),
    checkout: { ...checkout, ...httpFigures(scale) },
    durability,
    scale,
    hardening,
    relayLoadLatency,
  };
  const previous = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '';
  writeFileSync(BENCHMARKS, renderBenchmarks(results, previous));
  if (json) process.stdout.write(JSON.stringify(results) + '\n');
  else log('wrote BENCHMARKS.md');
}

/** `--only checkout`: the checkout payments section alone, spliced into BENCHMARKS.md. */
async function onlyCheckout(
  size: keyof typeof checkoutBenchSizes,
  command: string,
  load: number,
  json: boolean,
  log: (s: string) => void,
): Promise<void> {
  log('checkout payments and their crypto floors…');
  const checkout = await benchCheckout(checkoutBenchSizes[size]);
  const machine = machineOf(load);
  const previous = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '';
  const section = renderCheckoutPayments(checkout, machine.loadAverage, previous, command);
  writeFileSync(BENCHMARKS, spliceCheckoutPayments(previous, section));
  if (json) process.stdout.write(JSON.stringify({ machine, command, date: new Date().toISOString(), checkout }) + '\n');
  else log('wrote the checkout payments section of BENCHMARKS.md');
}

await main(process.argv.slice(2));

/** `--only link`: the latency sections under both link models, spliced into BENCHMARKS.md with the command. */
async function onlyLink(command: string, quick: boolean, json: boolean, log: (s: string) => void): Promise<void> {
  log('latency and air under both link models, radio round trips…');
  const load = loadavg()[0];
  const latency = await benchLatency({ quick, log });
  const date = new Date().toISOString();
  // Latencies are wall time on a shared machine: say how busy it was (connection events and bytes do not depend on it).
  const busy = load > cpus().length ? ' The machine was busy: the latencies are partly queueing for a core.' : '';
  const produced = `_Produced by \`${command}\` on ${date.slice(0, 10)} (load average ${Math.round(load * 10) / 10} at the start on ${cpus().length} cores).${busy}_`;
  const sections = renderLatency(latency).replace(/\n\n/, `\n\n${produced}\n\n`);
  const previous = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '';
  writeFileSync(BENCHMARKS, spliceLatency(previous, sections));
  if (json) process.stdout.write(JSON.stringify({ command, date, latency }) + '\n');
  else log('wrote the latency, air, link table and radio round-trip sections of BENCHMARKS.md');
}

/** The air figures without the per-message table (which BENCHMARKS.md shows). */
function airFigures(air: LatencyResults['air']): Omit<LatencyResults['air'], 'messages'> {
  const { messages: _messages, ...figures } = air;
  return figures;
}
