/**
 * Latency and air time of a payment through the bridge and a simulated band over the
 * simulator's link model (docs/SIMULATOR.md, "The link model"): the bridge's own charge
 * flow (noble websocket transport, relay session) against the real checkout over HTTP.
 *
 *  - latency: trade create → ledger commit (the checkout's reply to the band's ANSWER,
 *    timed through the bridge's fetch), p50/p99 over many payments at ci 15 ms, MTU 185;
 *  - air: per payment, both directions, from the band's link counters: GATT value bytes
 *    (frame headers included, ATT's 3-byte headers not), fragments, connection events;
 *  - a table over connection intervals 7.5/15/30 ms × MTU 23/185/247;
 *  - all of it under both link models: the conservative one (one fragment per direction per
 *    connection event, `model=single`) and the Core spec's (More Data, 251-octet PDUs, LE 2M,
 *    the event ending at the interval, each Write Response a PDU: `model=spec`), whose counters
 *    add LL PDUs and their octets (L2CAP and ATT headers included);
 *  - PING round trips over the websocket radio and over HCI (noble and bleno on the virtual
 *    controllers) under each model (radio.ts);
 *  - a FIDO CTAP2 getAssertion on the same link, for comparison (latency-ctap.ts).
 *
 * Every cell gets its own simulator (the link model is per simulator) and checkout; the
 * cells are set up concurrently and measured one after another.
 */
import { charge } from '../../bridge/flows/index.ts';
import { percentile } from '../../harness/load/load-run.ts';
import { startFleet, type Fleet } from '../../harness/load/sim-fleet.ts';
import { LINK_MODELS, type LinkModelName } from '../../sim/band/link-model.ts';
import { ctapAt, framedBytes, type CtapFigures } from './latency-ctap.ts';
import { type RadioRoundTrips, benchRadioRoundTrips } from './radio.ts';

export const AIR_TARGET_BYTES = 700;
const CIS = [7.5, 15, 30];
const MTUS = [23, 185, 247];
const MESSAGE_NAMES: Record<number, string> = {
  2: 'HELLO',
  5: 'CHALLENGE',
  6: 'ANSWER',
  7: 'RESULT',
  10: 'HELLO_REQUEST',
};

export interface LatencyCell {
  model: LinkModelName;
  ciMs: number;
  mtu: number;
  payments: number;
  p50Ms: number;
  p99Ms: number;
  bytesPerPayment: number;
  fragmentsPerPayment: number;
  connectionEventsPerPayment: number;
  /** The spec model's: LL data PDUs and their payload octets per payment, both ways (0 on the other model). */
  pdusPerPayment: number;
  llOctetsPerPayment: number;
}

/** The headline payment (ci 15 ms, MTU 185) under the spec model. */
export interface SpecHeadline {
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  payments: number;
  bytesPerPayment: number;
  connectionEvents: number;
  pdus: number;
  llOctets: number;
}

export interface LatencyResults {
  latency: { ciMs: number; mtu: number; payments: number; p50Ms: number; p99Ms: number; meanMs: number };
  air: {
    bytesPerPayment: number;
    upBytes: number;
    downBytes: number;
    fragments: number;
    connectionEvents: number;
    targetBytes: number;
    messages: Array<{ name: string; dir: 'up' | 'down'; bytes: number; onAir: number }>;
  };
  cells: LatencyCell[];
  spec: SpecHeadline;
  rtt: RadioRoundTrips[];
  ctap: CtapFigures[];
}

interface Timed {
  fleet: Fleet;
  answered: number[];
}

async function timedFleet(ciMs: number, mtu: number, model: LinkModelName): Promise<Timed> {
  const answered: number[] = [];
  const timedFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (String(input).endsWith('/answer')) answered.push(performance.now());
    return res;
  };
  return {
    fleet: await startFleet({
      bands: 1,
      bridgesPerSim: 1,
      link: `ci=${ciMs},mtu=${mtu},model=${model}`,
      fetch: timedFetch,
    }),
    answered,
  };
}

let orders = 0;

/** One payment's air, both directions (the band's link counters before and after). */
interface Air {
  up: { bytes: number; fragments: number };
  down: { bytes: number; fragments: number };
  connectionEvents: number;
  pdus: number;
  octets: number;
}

async function pay(t: Timed): Promise<{ ms: number; link: Air }> {
  const b = t.fleet.bands[0];
  const before = b.band.status().link;
  const start = performance.now();
  const r = await charge(b.bridge.terminal, b.session, {
    amount: 100 + (orders % 100),
    currency: 'CNY',
    orderId: `lat-${++orders}`,
    subject: 'latency',
  });
  if (!r.ok) throw new Error(`latency bench: a payment failed: ${JSON.stringify(r)}`);
  const after = b.band.status().link;
  const d = (k: 'up' | 'down', f: 'bytes' | 'fragments' | 'pdus' | 'octets') =>
    (after[k][f] ?? 0) - (before[k][f] ?? 0);
  return {
    ms: t.answered[t.answered.length - 1] - start,
    link: {
      up: { bytes: d('up', 'bytes'), fragments: d('up', 'fragments') },
      down: { bytes: d('down', 'bytes'), fragments: d('down', 'fragments') },
      connectionEvents: after.connectionEvents - before.connectionEvents,
      pdus: d('up', 'pdus') + d('down', 'pdus'),
      octets: d('up', 'octets') + d('down', 'octets'),
    },
  };
}

interface Spec {
  ci: number;
  mtu: number;
  model: LinkModelName;
}

async function measure(
  t: Timed,
  s: Spec,
  n: number,
  warmUp: boolean,
): Promise<{ cell: LatencyCell; times: number[]; last: Air }> {
  if (warmUp) await pay(t); // not counted
  const times: number[] = [];
  let bytes = 0;
  let fragments = 0;
  let events = 0;
  let pdus = 0;
  let octets = 0;
  let last: Air | undefined;
  for (let i = 0; i < n; i++) {
    const p = await pay(t);
    times.push(p.ms);
    bytes += p.link.up.bytes + p.link.down.bytes;
    fragments += p.link.up.fragments + p.link.down.fragments;
    events += p.link.connectionEvents;
    pdus += p.link.pdus;
    octets += p.link.octets;
    last = p.link;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return {
    cell: {
      model: s.model,
      ciMs: s.ci,
      mtu: s.mtu,
      payments: n,
      p50Ms: r1(percentile(sorted, 50)),
      p99Ms: r1(percentile(sorted, 99)),
      bytesPerPayment: r1(bytes / n),
      fragmentsPerPayment: r1(fragments / n),
      connectionEventsPerPayment: r1(events / n),
      pdusPerPayment: r1(pdus / n),
      llOctetsPerPayment: r1(octets / n),
    },
    times,
    last: last as Air,
  };
}

/** The messages of one payment as the band's radio log saw them: type (from the CBOR's key 0) and length. */
async function messagesOfOnePayment(t: Timed): Promise<LatencyResults['air']['messages']> {
  const band = t.fleet.bands[0].band;
  const seen: LatencyResults['air']['messages'] = [];
  const mtu = band.status().link.mtu;
  const onFrame = (f: { dir: string; hex: string; note: string }) => {
    const m = /^MSG len (\d+)$/.exec(f.note);
    if (!m || (f.dir !== 'in' && f.dir !== 'out')) return;
    const len = Number(m[1]);
    const type = parseInt(f.hex.slice(10, 12), 16); // cmd, len hi, len lo, map head, key 0, type
    seen.push({
      name: MESSAGE_NAMES[type] ?? `type ${type}`,
      dir: f.dir === 'in' ? 'up' : 'down',
      bytes: len,
      onAir: framedBytes(len, mtu),
    });
  };
  band.on('frame', onFrame);
  try {
    await pay(t);
  } finally {
    band.off('frame', onFrame);
  }
  return seen;
}

export async function benchLatency(opts: { quick: boolean; log?: (s: string) => void }): Promise<LatencyResults> {
  const mainN = opts.quick ? 40 : 200;
  const cellN = opts.quick ? 3 : 20;
  const specs: Spec[] = LINK_MODELS.flatMap((model) => CIS.flatMap((ci) => MTUS.map((mtu) => ({ ci, mtu, model }))));
  const fleets = await Promise.all(specs.map((s) => timedFleet(s.ci, s.mtu, s.model)));
  try {
    const headline = (model: LinkModelName) =>
      specs.findIndex((s) => s.ci === 15 && s.mtu === 185 && s.model === model);
    const mainIndex = headline('single');
    const specIndex = headline('spec');
    const main = fleets[mainIndex];
    opts.log?.(`  latency: ${mainN} payments at ci 15 ms, MTU 185, under each link model`);
    const m = await measure(main, specs[mainIndex], mainN, true);
    const sm = await measure(fleets[specIndex], specs[specIndex], mainN, true);
    const messages = await messagesOfOnePayment(main);
    const cells: LatencyCell[] = [];
    for (let i = 0; i < specs.length; i++) {
      if (i === mainIndex) cells.push(m.cell);
      else if (i === specIndex) cells.push(sm.cell);
      else cells.push((await measure(fleets[i], specs[i], cellN, !opts.quick)).cell);
    }
    await Promise.all(fleets.splice(0).map((f) => f.fleet.close()));
    opts.log?.('  round trips over the websocket radio and over HCI, under each link model');
    const rtt = await benchRadioRoundTrips({ ciMs: 15, samples: opts.quick ? 30 : 100 });
    const mean = (times: number[]) => Math.round((times.reduce((s, x) => s + x, 0) / times.length) * 10) / 10;
    return {
      latency: {
        ciMs: 15,
        mtu: 185,
        payments: mainN,
        p50Ms: m.cell.p50Ms,
        p99Ms: m.cell.p99Ms,
        meanMs: mean(m.times),
      },
      air: {
        bytesPerPayment: m.cell.bytesPerPayment,
        upBytes: m.last.up.bytes,
        downBytes: m.last.down.bytes,
        fragments: m.cell.fragmentsPerPayment,
        connectionEvents: m.cell.connectionEventsPerPayment,
        targetBytes: AIR_TARGET_BYTES,
        messages,
      },
      cells,
      spec: {
        payments: mainN,
        p50Ms: sm.cell.p50Ms,
        p99Ms: sm.cell.p99Ms,
        meanMs: mean(sm.times),
        bytesPerPayment: sm.cell.bytesPerPayment,
        connectionEvents: sm.cell.connectionEventsPerPayment,
        pdus: sm.cell.pdusPerPayment,
        llOctets: sm.cell.llOctetsPerPayment,
      },
      rtt,
      ctap: MTUS.map(ctapAt),
    };
  } finally {
    await Promise.all(fleets.map((f) => f.fleet.close()));
  }
}
