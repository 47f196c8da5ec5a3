/**
 * A small world for bridge tests: the REAL checkout (SQLite in a temp dir, HTTP on an
 * ephemeral loopback port), the REAL firmware booted in-process on firmware/testenv, and
 * the bridge's in-process transport between them. Accounts and a paired terminal come
 * from the checkout's own API, as in production.
 */
import { bootBand, type BootedBand } from '../../../firmware/boot.ts';
import { createTestEnv, type TestEnv } from '../../../firmware/testenv/test-env.ts';
import { type TerminalIdentity, pairTerminal, terminalClient } from '../../../bridge/flows/pair.ts';
import { BandSession } from '../../../bridge/relay/band-session.ts';
import { InProcessTransport } from '../../../harness/transport/in-process.ts';
import { connectNearest } from '../../../bridge/transport/nearest.ts';
import type { CheckoutClient } from '../../../checkout/api/client.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../../harness/checkout-harness.ts';
import type { ConfigOverrides } from '../../../checkout/core/config.ts';

export const PASSWORD = 'correct horse battery';
export const PAY_PASSWORD = '246810';

let seq = 0;
export function unique(prefix: string): string {
  seq += 1;
  return `${prefix}${seq}${Math.floor(Math.random() * 1e6)}`;
}

export interface Band {
  env: TestEnv;
  booted: BootedBand;
  putOn(): void;
  takeOff(): void;
}

export function bootTestBand(seed = 7): Band {
  // The band's wall clock must agree with the checkout's: challenges carry an expiry.
  const env = createTestEnv({ seed, wallMs: Date.now() });
  const booted = bootBand(env.hal);
  return {
    env,
    booted,
    putOn: () => env.wear.sample(true),
    takeOff: () => {
      env.wear.sample(false);
      env.clock.advance(2000);
    },
  };
}

export interface World {
  h: Harness;
  band: Band;
  transport: InProcessTransport;
  /** The owner: username and a logged-in client. */
  username: string;
  owner: CheckoutClient;
  terminal: CheckoutClient;
  identity: TerminalIdentity;
  session(): Promise<BandSession>;
  close(): Promise<void>;
}

export async function ownerAccount(h: Harness): Promise<{ username: string; owner: CheckoutClient }> {
  const username = unique('owner');
  await h.client.register({ username, password: PASSWORD, paymentPassword: PAY_PASSWORD });
  return { username, owner: await h.client.loginAs(username, PASSWORD) };
}

export async function pairingCode(h: Harness, displayName = 'Tea House'): Promise<string> {
  const username = unique('shop');
  await h.client.register({ username, password: PASSWORD, kind: 'merchant', displayName });
  const merchant = await h.client.loginAs(username, PASSWORD);
  return (await merchant.createPairingCode()).code;
}

export async function startWorld(seed = 7, config: ConfigOverrides = cheapTestConfig): Promise<World> {
  const h = await startHarness(config);
  const band = bootTestBand(seed);
  const transport = new InProcessTransport([{ radio: band.env.radio, mtu: 185 }]);
  const { username, owner } = await ownerAccount(h);
  const paired = await pairTerminal(h.server.url, await pairingCode(h), { provider: h.provider });
  if (!paired.ok) throw new Error(`pairing failed: ${paired.name} ${paired.message}`);
  const identity = paired.value;
  let current: BandSession | null = null;
  return {
    h,
    band,
    transport,
    username,
    owner,
    identity,
    terminal: terminalClient(identity, { provider: h.provider, clock: h.clock.now }),
    async session() {
      if (current?.connected) return current;
      const near = await connectNearest(transport, { scanMs: 0 });
      if (!near.link) throw new Error('no band advertising');
      current = new BandSession(near.link);
      return current;
    },
    async close() {
      await transport.close();
      await h.close();
    },
  };
}
