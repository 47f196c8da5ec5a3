/**
 * The hostile relay in front of two simulated bands: the real image in QuickJS (sim/band,
 * flashed with the test vendor key), reached through the bridge's own stack — noble's
 * websocket bindings and the relay session (BandSession) — with the relay choosing what
 * each session writes. The bands run on real time, so only the checkout's clock moves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BandSession } from '../../bridge/relay/band-session.ts';
import { connectWithRetry } from '../../bridge/transport/nearest.ts';
import { createWebsocketTransport } from '../../bridge/transport/noble-websocket.ts';
import { flashImage } from '../../sim/band/firmware-store.ts';
import { startSimulator } from '../../sim/band/simulator.ts';
import { testImages } from '../images.ts';
import { SessionEndpoint } from './band-endpoint.ts';
import { startRelayWorld, type RelayWorld } from './relay-world.ts';

export async function simRelayWorld(link = 'mtu=185'): Promise<RelayWorld> {
  const img = await testImages();
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-relay-sim-'));
  const flashed = flashImage({ image: img.main, stateDir: dir, vendorKey: img.vendorPub });
  if (!flashed.ok) throw new Error(`flash failed: ${flashed.message}`);
  const sim = await startSimulator({ stateDir: dir, radioPort: 0, uiPort: 0, bands: 2, link });
  const transport = createWebsocketTransport(`ws://127.0.0.1:${sim.radioPort}`);
  const stop = async (): Promise<void> => {
    await transport.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await transport.scan({ timeoutMs: 700 });
    const endpoint = async (label: 'A' | 'B', k: number): Promise<SessionEndpoint> => {
      const band = sim.band(k);
      const connect = async (): Promise<BandSession> =>
        new BandSession(await connectWithRetry(transport, band.peripheralId, { attempts: 5, delayMs: 200 }));
      return new SessionEndpoint(label, band, await connect(), connect);
    };
    const a = await endpoint('A', 1);
    const b = await endpoint('B', 2);
    const world = await startRelayWorld(async () => [a, b]);
    world.cleanups.push(stop);
    return world;
  } catch (e) {
    await stop();
    throw e;
  }
}
