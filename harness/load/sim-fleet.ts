/**
 * A fleet of simulated bands paying through real bridges into one real checkout: the band
 * image (test vendor key) flashed into one state directory per simulator (at most 16 bands
 * each, the simulator's limit), every simulator in this process on ephemeral ports with the
 * given link model, `bridgesPerSim` bridges per simulator — each a noble websocket
 * transport and a paired terminal of one merchant — and every band enrolled, carded (one
 * ICBC card), worn and unlocked through the bridge's own flows, with its own owner account.
 *
 * Shared by the load test (test/load), the power-cut test (test/adversarial) and the
 * latency bench (scripts/bench/latency.ts); no vitest here.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addCard, enrollBand, pairTerminal, terminalClient, unlockBand } from '../../bridge/flows/index.ts';
import { BandSession } from '../../bridge/relay/band-session.ts';
import { connectWithRetry } from '../../bridge/transport/nearest.ts';
import { createWebsocketTransport } from '../../bridge/transport/noble-websocket.ts';
import type { BandTransport } from '../../bridge/transport/types.ts';
import { flashImage } from '../../sim/band/firmware-store.ts';
import type { SimBand } from '../../sim/band/sim-band.ts';
import { startSimulator, type Simulator } from '../../sim/band/simulator.ts';
import type { CheckoutClient } from '../../checkout/api/client.ts';
import type { ConfigOverrides } from '../../checkout/core/config.ts';
import { cheapTestConfig, mergeConfig, startHarness, type Harness } from '../checkout-harness.ts';
import { testImages } from '../images.ts';

export const FLEET_PASSWORD = 'correct horse battery';
const MAX_PER_SIM = 16;

export interface FleetOptions {
  bands: number;
  /** Bands per simulator (1..16, default 16). */
  perSim?: number;
  /** Bridges (noble transports + terminals) per simulator (default 2). */
  bridgesPerSim?: number;
  /** Link model spec, e.g. `ci=15,mtu=185` (default: no delay). */
  link?: string;
  /** Checkout config overrides, on top of cheapTestConfig (a fleet registers and unlocks hundreds of owners from loopback). */
  checkout?: ConfigOverrides;
  /** The bridges' fetch (the latency bench times the checkout's replies through it). */
  fetch?: typeof fetch;
  /** Bands set up at once (default 8). */
  setupConcurrency?: number;
  /**
   * A flash geometry for band `index` (0-based; undefined: the simulator's 16 × 4 KiB),
   * written into its identity file (DIR/band-K/band.json) before the simulator first starts
   * it. A small flash makes the journal compact every few payments.
   */
  flash?: (index: number) => { pageSize: number; pageCount: number } | undefined;
}

export interface Bridge {
  index: number;
  transport: BandTransport;
  /** Terminal-signed client of the checkout. */
  terminal: CheckoutClient;
  terminalId: string;
}

export interface FleetBand {
  /** 0-based over the whole fleet. */
  index: number;
  sim: Simulator;
  band: SimBand;
  bridge: Bridge;
  session: BandSession;
  username: string;
  owner: CheckoutClient;
  deviceId: string;
  cardRef: string;
}

export interface Fleet {
  h: Harness;
  sims: Simulator[];
  bridges: Bridge[];
  bands: FleetBand[];
  /** An anonymous client (unlock carries the password). */
  anon: CheckoutClient;
  /**
   * Reconnects a band's session after a reset, on the same bridge. A band the simulator's
   * boot-loop guard halted (more than 8 resets in 10 s: tests cut power that often) is
   * rebooted first, as `wristpay sim reboot` would. Returns true when that was needed.
   */
  reconnect(b: FleetBand): Promise<boolean>;
  /** Unlocks a worn band again (after a reset the session is gone). */
  unlock(b: FleetBand): Promise<void>;
  close(): Promise<void>;
}

export async function waitUntil(what: string, probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`fleet: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function must<T>(o: { ok: true; value: T } | { ok: false; name: string; message: string }, what: string): T {
  if (!o.ok) throw new Error(`fleet: ${what} failed: ${o.name} ${o.message}`);
  return o.value;
}

/** A band identity (docs/SIMULATOR.md, "The state directory") with the given flash geometry. */
function writeIdentity(dir: string, k: number, sim: number, flash: { pageSize: number; pageCount: number }): void {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const bandDir = join(dir, `band-${k}`);
  mkdirSync(bandDir, { recursive: true });
  const identity = {
    version: 1,
    serial: `WP-FLEET-${hex(sim)}${hex(k)}`,
    address: `c0:de:00:00:${hex(sim)}:${hex(k)}`,
    createdAt: new Date().toISOString(),
    flash,
  };
  writeFileSync(join(bandDir, 'band.json'), JSON.stringify(identity));
}

export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const perSim = Math.min(MAX_PER_SIM, opts.perSim ?? MAX_PER_SIM);
  const simCount = Math.ceil(opts.bands / perSim);
  const bridgesPerSim = opts.bridgesPerSim ?? 2;
  const dirs: string[] = [];
  const sims: Simulator[] = [];
  const bridges: Bridge[] = [];
  const bands: FleetBand[] = [];
  let h: Harness | undefined;
  const close = async (): Promise<void> => {
    for (const b of bands) await b.session.close().catch(() => undefined);
    for (const br of bridges) await br.transport.close().catch(() => undefined);
    for (const s of sims) await s.stop();
    await h?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    const img = await testImages();
    h = await startHarness(mergeConfig(cheapTestConfig, opts.checkout));
    const hh = h;
    const anon = hh.client;
    await anon.register({
      username: 'fleet-shop',
      password: FLEET_PASSWORD,
      kind: 'merchant',
      displayName: 'Fleet Mart',
    });
    const shop = await anon.loginAs('fleet-shop', FLEET_PASSWORD);
    for (let s = 0; s < simCount; s++) {
      const dir = mkdtempSync(join(tmpdir(), 'wristpay-fleet-'));
      dirs.push(dir);
      const flashed = flashImage({ image: img.main, stateDir: dir, vendorKey: img.vendorPub });
      if (!flashed.ok) throw new Error(`fleet: flash failed: ${flashed.message}`);
      const count = Math.min(perSim, opts.bands - s * perSim);
      for (let k = 1; k <= count; k++) {
        const geometry = opts.flash?.(s * perSim + k - 1);
        if (geometry) writeIdentity(dir, k, s, geometry);
      }
      const sim = await startSimulator({ stateDir: dir, radioPort: 0, uiPort: 0, bands: count, link: opts.link });
      sims.push(sim);
      const simBridges: Bridge[] = [];
      for (let k = 0; k < Math.min(bridgesPerSim, count); k++) {
        const id = must(
          await pairTerminal(hh.server.url, (await shop.createPairingCode()).code, {
            provider: hh.provider,
            name: `till ${bridges.length + 1}`,
          }),
          'pairing',
        );
        const br: Bridge = {
          index: bridges.length,
          transport: createWebsocketTransport(`ws://127.0.0.1:${sim.radioPort}`),
          terminal: terminalClient(id, { provider: hh.provider, clock: hh.clock.now, fetch: opts.fetch }),
          terminalId: id.terminalId,
        };
        bridges.push(br);
        simBridges.push(br);
      }
      // One scan per bridge fills noble's peripheral table; then connect to each assigned band.
      await Promise.all(simBridges.map((br) => br.transport.scan({ timeoutMs: 700 })));
      for (let k = 0; k < count; k++) {
        const bridge = simBridges[k % simBridges.length];
        const band = sim.band(k + 1);
        const link = await connectWithRetry(bridge.transport, band.peripheralId, { attempts: 3 });
        bands.push({
          index: bands.length,
          sim,
          band,
          bridge,
          session: new BandSession(link),
          username: `fleet-owner-${bands.length}`,
          owner: anon,
          deviceId: '',
          cardRef: '',
        });
      }
    }
    await pool(bands, opts.setupConcurrency ?? 8, async (b) => {
      await anon.register({ username: b.username, password: FLEET_PASSWORD, paymentPassword: '135790' });
      b.owner = await anon.loginAs(b.username, FLEET_PASSWORD);
      b.deviceId = must(await enrollBand(b.owner, b.session, { name: `band ${b.index}` }), 'enroll').deviceId;
      b.cardRef = must(await addCard(b.owner, b.session, b.deviceId, { issuerId: 'icbc' }), 'card').cardRef;
      b.band.setWorn(true);
      await waitUntil('the band to be worn', () => b.band.status().state === 'worn-locked');
      must(await unlockBand(anon, b.session, b.username, FLEET_PASSWORD), 'unlock');
    });
    return {
      h: hh,
      sims,
      bridges,
      bands,
      anon,
      close,
      async reconnect(b) {
        await b.session.close().catch(() => undefined);
        await waitUntil('the band to boot again', () => b.band.running || b.band.status().halted !== null);
        const halted = !b.band.running;
        if (halted) b.band.reboot();
        await waitUntil('the band to boot again', () => b.band.running);
        const link = await connectWithRetry(b.bridge.transport, b.band.peripheralId, { attempts: 5, delayMs: 200 });
        b.session = new BandSession(link);
        return halted;
      },
      async unlock(b) {
        await waitUntil('the band to be worn', () => b.band.status().state === 'worn-locked');
        must(await unlockBand(anon, b.session, b.username, FLEET_PASSWORD), 'unlock');
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}
