/**
 * Round-trip time of one PING (a write with response, the echo notified back) between the
 * bridge and a simulated band, over the websocket radio and over HCI with real host stacks
 * (the bridge's noble HCI bindings, the simulator's bleno) on two virtual controllers
 * (harness/radio/), at the same link: connection interval, MTU and loss.
 *
 *   node --import tsx scripts/radio-rtt.ts [--ci 15] [--loss 0] [--samples 100] [--model single|spec]
 *
 * Prints one JSON object: per path the samples, median and p95 in ms. `radioRoundTrips` is
 * there for scripts/bench.ts too: once per process (noble and bleno are process singletons,
 * and it puts the virtual HCI socket in place of the native one): the bench runs this script
 * once per link model, each in a child of its own (scripts/bench/radio.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { connectNearest } from '../bridge/transport/nearest.ts';
import { createHciTransport } from '../bridge/transport/noble-hci.ts';
import { createWebsocketTransport } from '../bridge/transport/noble-websocket.ts';
import type { BandTransport } from '../bridge/transport/types.ts';
import { testImages } from '../harness/images.ts';
import { VirtualAir } from '../harness/radio/air.ts';
import { serveH4 } from '../harness/radio/h4-server.ts';
import { installVirtualHciSocket } from '../harness/radio/install-hci-socket.ts';
import { type RoundTrips, pingRoundTrips } from '../harness/radio/round-trips.ts';
import { flashImage } from '../sim/band/firmware-store.ts';
import type { LinkModelName } from '../sim/band/link-model.ts';
import { type Simulator, type StartSimulatorOptions, startSimulator } from '../sim/band/simulator.ts';

const MTU = 185;

export interface RadioRoundTrips {
  link: { ciMs: number; mtu: number; loss: number; model: LinkModelName };
  websocket: RoundTrips;
  hci: RoundTrips;
}

export async function radioRoundTrips(opts: {
  ciMs: number;
  loss: number;
  samples: number;
  model?: LinkModelName;
}): Promise<RadioRoundTrips> {
  const { ciMs, loss, samples } = opts;
  const model = opts.model ?? 'single';
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-rtt-'));
  const img = await testImages();

  /** Boots a band (with `sim`'s radio and link), connects over `radio(sim)`, and times the round trips. */
  const measure = async (radio: (s: Simulator) => BandTransport, sim: StartSimulatorOptions): Promise<RoundTrips> => {
    const state = mkdtempSync(join(dir, 'band-'));
    const flashed = flashImage({ image: img.main, stateDir: state, vendorKey: img.vendorPub });
    if (!flashed.ok) throw new Error(flashed.message);
    const s = await startSimulator({ ...sim, stateDir: state, radioPort: 0, uiPort: 0 });
    try {
      const t = radio(s);
      const near = await connectNearest(t, { scanMs: 500 });
      if (!near.link) throw new Error('no band found');
      const r = await pingRoundTrips(near.link, samples);
      await t.close();
      return r;
    } finally {
      await s.stop();
    }
  };

  // Over the websocket the simulator's link model sets the timing; over HCI the controllers' does.
  const websocket = await measure((s) => createWebsocketTransport(`ws://127.0.0.1:${s.radioPort}`), {
    link: { ciMs, mtu: MTU, loss, model },
  });
  const air = new VirtualAir({ link: { ciMs, mtu: MTU, loss, model } });
  const servers = [
    await serveH4(air.controller({ address: '00:00:5e:00:53:31' }), join(dir, 'hci0.sock')),
    await serveH4(air.controller({ address: '00:00:5e:00:53:32' }), join(dir, 'hci1.sock')),
  ];
  try {
    installVirtualHciSocket({ 0: servers[0].endpoint, 1: servers[1].endpoint });
    process.env.NOBLE_HCI_DEVICE_ID = '0';
    process.env.BLENO_HCI_DEVICE_ID = '1';
    const hci = await measure(() => createHciTransport(), { radio: 'hci', link: { mtu: MTU } });
    return { link: { ciMs, mtu: MTU, loss, model }, websocket, hci };
  } finally {
    for (const s of servers) await s.close();
    air.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      ci: { type: 'string', default: '15' },
      loss: { type: 'string', default: '0' },
      samples: { type: 'string', default: '100' },
      model: { type: 'string', default: 'single' },
    },
  });
  if (values.model !== 'single' && values.model !== 'spec') throw new Error('--model takes single or spec');
  radioRoundTrips({
    ciMs: Number(values.ci),
    loss: Number(values.loss),
    samples: Number(values.samples),
    model: values.model,
  }).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`radio-rtt: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
