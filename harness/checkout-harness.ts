/**
 * A checkout on a real SQLite file in a temp dir, served on an ephemeral loopback port,
 * with a clock the test can move. `restart()` closes everything and reopens the same file.
 * It runs with the checkout's production settings, as the CLI does; a test that needs
 * cheaper or looser ones passes them (cheapTestConfig, looseLimits).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProvider } from '../shared/crypto/default-provider.ts';
import type { HostCryptoProvider } from '../shared/crypto/host-provider.ts';
import { type Checkout, createCheckout } from '../checkout/checkout.ts';
import { CheckoutClient } from '../checkout/api/client.ts';
import type { ConfigOverrides } from '../checkout/core/config.ts';
import type { Promotion } from '../checkout/core/promotion-file.ts';
import { type RunningServer, startCheckoutServer } from '../checkout/http/server.ts';

export class TestClock {
  private offset = 0;
  readonly now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

const unreachable = { points: 1_000_000, windowMs: 60_000 };

/** Rate limits and a hash queue no test reaches (for tests that register and log in a lot from loopback). */
export const looseLimits: ConfigOverrides = {
  hashQueue: { maxWaiting: 100_000, maxWaitMs: 120_000 },
  rateLimits: {
    loginPerClient: unreachable,
    loginPerAccount: unreachable,
    registerPerClient: unreachable,
    payPasswordPerTerminal: unreachable,
    payPasswordPerAccount: unreachable,
    enrollPerAccount: unreachable,
    pairingCodePerMerchant: unreachable,
  },
};

/**
 * For tests about something else than password work: cheap scrypt (2^10), quick
 * notification retries and loose limits. The harness starts with production settings;
 * a test that wants this passes it: `startHarness(cheapTestConfig)`.
 */
export const cheapTestConfig: ConfigOverrides = mergeConfig(looseLimits, {
  scryptLog2N: 10,
  notify: { baseDelayMs: 30, maxDelayMs: 200, pollMs: 20, timeoutMs: 1000 },
});

/** Later overrides win, field by field also inside the nested groups. */
export function mergeConfig(...layers: Array<ConfigOverrides | undefined>): ConfigOverrides {
  const out: ConfigOverrides = {};
  for (const o of layers) {
    if (!o) continue;
    Object.assign(out, o, {
      notify: { ...out.notify, ...o.notify },
      hashQueue: { ...out.hashQueue, ...o.hashQueue },
      rateLimits: { ...out.rateLimits, ...o.rateLimits },
    });
  }
  return out;
}

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

/** Production settings unless `config` says otherwise (see cheapTestConfig). */
export async function startHarness(
  config: ConfigOverrides = {},
  /** The promotions in force (default: the shipped file); a test may change the array between requests. */
  promotions?: Promotion[],
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-checkout-'));
  const dbFile = join(dir, 'checkout.db');
  const clock = new TestClock();
  const provider = defaultProvider();
  const open = async (port: number): Promise<{ checkout: Checkout; server: RunningServer }> => {
    const checkout = await createCheckout({ db: dbFile, provider, clock: clock.now, config, promotions });
    const server = await startCheckoutServer(checkout, { port, log: () => undefined });
    return { checkout, server };
  };
  const first = await open(0);
  const h: Harness = {
    dir,
    dbFile,
    clock,
    provider,
    ...first,
    client: new CheckoutClient(first.server.url),
    async restart() {
      await h.server.close();
      await h.checkout.close();
      // Let this process's HTTP clients see the closed keep-alive sockets before reuse.
      await new Promise((r) => setTimeout(r, 100));
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
