/**
 * The bridge against the band simulator: stock noble core over noble's websocket bindings
 * (re-wired to an ephemeral port, bridge/transport/ws-bindings.ts), the real firmware image
 * in QuickJS, and the real checkout. The link runs at MTU 23, so every challenge and
 * answer crosses in many fragments. Scan → connect → info → HELLO_REQUEST, then a band's
 * life through the bridge: enroll, card, unlock, pay (and press the button), a reset
 * mid-request, and the reconnect helper.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCard, charge, enrollBand, unlockBand } from '../../bridge/flows/index.ts';
import { BandSession } from '../../bridge/relay/band-session.ts';
import { BandRefusal } from '../../bridge/relay/refusal.ts';
import { connectNearest, connectWithRetry } from '../../bridge/transport/nearest.ts';
import { createWebsocketTransport } from '../../bridge/transport/noble-websocket.ts';
import type { BandTransport } from '../../bridge/transport/types.ts';
import { Status } from '../../shared/status/codes.ts';
import type { Simulator } from '../../sim/band/simulator.ts';
import type { CheckoutClient } from '../../checkout/api/client.ts';
import { startHarness, type Harness } from '../../harness/checkout-harness.ts';
import { testImages } from '../../harness/images.ts';
import { flashedDir, removeTempDirs, startOnAnyPort, waitFor } from '../sim/helpers/sim.ts';
import { runCli } from './helpers/cli.ts';
import { PASSWORD, ownerAccount, pairingCode, unique } from './helpers/world.ts';
import { pairTerminal, terminalClient } from '../../bridge/flows/pair.ts';

let sim: Simulator;
let h: Harness;
let url: string;
const transports: BandTransport[] = [];
let transport: BandTransport;
let session: BandSession;

function radio(): BandTransport {
  const t = createWebsocketTransport(url);
  transports.push(t);
  return t;
}

beforeAll(async () => {
  const img = await testImages();
  sim = await startOnAnyPort(flashedDir(img.main, img.vendorPub), { bands: 2, link: 'mtu=23' });
  url = `ws://127.0.0.1:${sim.radioPort}`;
  h = await startHarness();
  transport = radio();
}, 180_000);

afterAll(async () => {
  for (const t of transports) await t.close();
  await sim?.stop();
  await h?.close();
  removeTempDirs();
});

describe('the websocket transport', () => {
  it('scans both bands, nearest first, and says they are hard to tell apart', async () => {
    const near = await connectNearest(transport, { scanMs: 1200 });
    expect(near.found.map((b) => b.id)).toEqual([sim.band(1).peripheralId, sim.band(2).peripheralId]);
    // The simulator's bands advertise at −42 − 3·K dBm.
    // No name in the advertisement (docs/PROTOCOL.md §7): the service UUID finds them.
    expect(near.found.map((b) => [b.name, b.rssi])).toEqual([
      ['', -45],
      ['', -48],
    ]);
    expect(near.ambiguous).toBe(true);
    expect(near.link?.mtu).toBe(23);
    session = new BandSession(near.link!);
  });

  it('reads INFO; a fresh band answers HELLO_REQUEST with ERROR NOT_ENROLLED', async () => {
    expect(await session.readInfo()).toMatchObject({ type: 'info', enrolled: false, maxMessageSize: 2048 });
    const err = await session.request({ type: 'hello-request' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BandRefusal);
    expect(err).toMatchObject({ status: Status.NOT_ENROLLED, origin: 'band' });
  });

  it('a band held by this bridge is not advertising for another one', async () => {
    const other = radio();
    const err = await other.connect(sim.band(1).peripheralId, { timeoutMs: 1200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: Status.UNREACHABLE });
  });
});

describe("a band's life through the bridge, over the simulator at MTU 23", () => {
  let owner: CheckoutClient;
  let username: string;
  let terminal: CheckoutClient;

  it('enroll, add a card, put on, unlock', async () => {
    ({ owner, username } = await ownerAccount(h));
    const paired = await pairTerminal(h.server.url, await pairingCode(h), { provider: h.provider });
    if (!paired.ok) throw new Error(paired.message);
    terminal = terminalClient(paired.value, { provider: h.provider, clock: h.clock.now });
    const enrolled = await enrollBand(owner, session);
    if (!enrolled.ok) throw new Error(enrolled.message);
    const card = await addCard(owner, session, undefined, { issuerId: 'boc' });
    if (!card.ok) throw new Error(card.message);
    sim.band(1).setWorn(true);
    const unlocked = await unlockBand(h.client, session, username, PASSWORD);
    if (!unlocked.ok) throw new Error(unlocked.message);
    await waitFor('worn-unlocked', () => JSON.stringify(sim.band(1).status()).includes('worn-unlocked'));
  });

  it("pays under the limit, and above it after a press of the band's button", async () => {
    const small = await charge(terminal, session, { amount: 880, currency: 'CNY', orderId: unique('sim-') });
    expect(small).toMatchObject({ ok: true, receipt: { method: 'band', card: { issuer: 'Bank of China' } } });
    let prompts = 0;
    const big = await charge(
      terminal,
      session,
      { amount: 300_00, currency: 'CNY', orderId: unique('sim-') },
      {
        onKeepalive: (k) => {
          if (k.status === Status.CONFIRMATION_REQUIRED && prompts++ === 0) sim.band(1).press();
        },
      },
    );
    expect(prompts).toBeGreaterThan(0);
    expect(big).toMatchObject({ ok: true, receipt: { amount: 300_00 } });
  });

  it("the CLI's status over the real websocket transport", async () => {
    await session.close();
    const r = await runCli(
      ['bridge', 'status', '--radio', url, '--scan-ms', '1200', '--json', '--config', `${h.dir}/none.json`],
      { env: {} },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      ok: true,
      band: { mtu: 23, enrolled: true, firmware: expect.any(String) },
      nearby: [{ rssi: -45 }, { rssi: -48 }],
    });
  });

  it('a reset mid-request is UNREACHABLE at once; the reconnect helper finds the band again', async () => {
    const near = await connectNearest(transport, { scanMs: 1200 });
    session = new BandSession(near.link!);
    // Above the limit the band waits for its button; reset it meanwhile.
    const waiting = charge(
      terminal,
      session,
      { amount: 400_00, currency: 'CNY', orderId: unique('sim-') },
      {
        onKeepalive: () => sim.band(1).reboot(),
      },
    );
    expect(await waiting).toMatchObject({
      ok: false,
      outcome: 'password-needed',
      reason: { name: 'UNREACHABLE', stage: 'radio' },
    });
    const link = await connectWithRetry(transport, sim.band(1).peripheralId, { attempts: 5, timeoutMs: 3000 });
    const again = new BandSession(link);
    expect(await again.readInfo()).toMatchObject({ enrolled: true });
    await again.close();
  });
});
