/**
 * The demo's world, all real parts with embedded defaults: the prebuilt band image the
 * package ships (cli/demo/shipped-image.ts), flashed into a temporary state directory
 * and booted in QuickJS by the simulator; a checkout on an ephemeral loopback
 * port over a fresh SQLite file; the bridge's noble websocket transport to the simulator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProvider } from '../../shared/crypto/default-provider.ts';
import { flashImage } from '../../sim/band/firmware-store.ts';
import { startSimulator, type Simulator } from '../../sim/band/simulator.ts';
import { createCheckout, type Checkout } from '../../checkout/checkout.ts';
import type { ConfigOverrides } from '../../checkout/core/config.ts';
import { startCheckoutServer } from '../../checkout/http/server.ts';
import { BandSession } from '../../bridge/relay/band-session.ts';
import { connectNearest } from '../../bridge/transport/nearest.ts';
import { createWebsocketTransport } from '../../bridge/transport/noble-websocket.ts';
import type { BandTransport } from '../../bridge/transport/types.ts';
import { shippedImage } from './shipped-image.ts';

export interface DemoWorld {
  dir: string;
  sim: Simulator;
  checkout: Checkout;
  checkoutUrl: string;
  session: BandSession;
  imageBytes: number;
  close(): Promise<void>;
}

/** Flashes, boots and connects everything; `keep` leaves the temp dir for inspection. */
export interface DemoWorldOptions {
  keep?: boolean;
  log?: (line: string) => void;
  /** Tests only: checkout tunables and clock (e.g. to step past a challenge's expiry). */
  checkout?: { config?: ConfigOverrides; clock?: () => number };
  /** Tests only: firmware/config.ts overrides for the simulated band. */
  firmwareConfig?: Record<string, unknown>;
}

export async function startDemoWorld(opts: DemoWorldOptions = {}): Promise<DemoWorld> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-demo-'));
  const cleanups: Array<() => Promise<void> | void> = [
    () => (opts.keep ? undefined : rmSync(dir, { recursive: true, force: true })),
  ];
  const close = async () => {
    for (const c of cleanups.reverse()) await c();
  };
  try {
    log('flashing the band image');
    const shipped = shippedImage();
    const stateDir = join(dir, 'band');
    const flashed = flashImage({ image: shipped.image, stateDir, vendorKey: shipped.vendorKey });
    if (!flashed.ok) throw new Error(`flash: ${flashed.message}`);

    log('booting the simulated band');
    const sim = await startSimulator({ stateDir, radioPort: 0, uiPort: 0, firmwareConfig: opts.firmwareConfig });
    cleanups.push(() => sim.stop());

    log('starting the checkout');
    const provider = defaultProvider();
    const checkout = await createCheckout({
      db: join(dir, 'checkout.db'),
      provider,
      notify: false,
      config: opts.checkout?.config,
      clock: opts.checkout?.clock,
    });
    cleanups.push(() => checkout.close());
    const server = await startCheckoutServer(checkout, { port: 0, log: () => undefined });
    cleanups.push(() => server.close());

    log('connecting the bridge over noble');
    const transport: BandTransport = createWebsocketTransport(`ws://127.0.0.1:${sim.radioPort}`);
    cleanups.push(() => transport.close());
    const near = await connectNearest(transport, { scanMs: 1500 });
    if (!near.link) throw new Error('the bridge found no band');
    const session = new BandSession(near.link);
    cleanups.push(() => session.close());
    return { dir, sim, checkout, checkoutUrl: server.url, session, imageBytes: shipped.codeBytes, close };
  } catch (err) {
    await close();
    throw err;
  }
}
