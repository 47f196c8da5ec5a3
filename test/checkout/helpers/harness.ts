/**
 * A checkout on a real SQLite file in a temp dir, served on an ephemeral loopback port,
 * with a clock the test can move. `restart()` closes everything and reopens the same file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProvider } from '../../../shared/crypto/default-provider.ts';
import type { HostCryptoProvider } from '../../../shared/crypto/host-provider.ts';
import { Checkout, createCheckout } from '../../../sim/checkout/checkout.ts';
import { CheckoutClient } from '../../../sim/checkout/client.ts';
import type { ConfigOverrides } from '../../../sim/checkout/core/config.ts';
import { RunningServer, startCheckoutServer } from '../../../sim/checkout/http/server.ts';

export class TestClock {
  private offset = 0;
  readonly now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** Cheap scrypt and quick notification retries; everything else as in production. */
export const testConfig: ConfigOverrides = {
  scryptLog2N: 10,
  notify: { baseDelayMs: 30, maxDelayMs: 200, pollMs: 20, timeoutMs: 1000 },
};

export interface Harness {
  dir: string;
  dbFile: string;
  clock: TestClock;
  provider: HostCryptoProvider;
  checkout: Checkout;
  server: RunningServer;
  /** An anonymous client of the running server. */
  client: CheckoutClient;
  /** Closes server and database, then reopens the same file on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(config: ConfigOverrides = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-checkout-'));
  const dbFile = join(dir, 'checkout.db');
  const clock = new TestClock();
  const provider = defaultProvider();
  const merged: ConfigOverrides = { ...testConfig, ...config, notify: { ...testConfig.notify, ...config.notify } };
  const open = async (port: number): Promise<{ checkout: Checkout; server: RunningServer }> => {
    const checkout = await createCheckout({ dbFile, provider, clock: clock.now, config: merged });
    const server = await startCheckoutServer(checkout, { port, log: () => undefined });
    return { checkout, server };
  };
  const first = await open(0);
  const h: Harness = {
    dir, dbFile, clock, provider, ...first,
    client: new CheckoutClient(first.server.url),
    async restart() {
      await h.server.close();
      await h.checkout.close();
      // Let this process's HTTP clients see the closed keep-alive sockets before reuse.
      await new Promise((r) => setTimeout(r, 20));
      // Same port, so clients made before the restart keep working.
      const next = await open(Number(new URL(h.server.url).port));
      h.checkout = next.checkout;
      h.server = next.server;
    },
    async close() {
      await h.server.close();
      await h.checkout.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
