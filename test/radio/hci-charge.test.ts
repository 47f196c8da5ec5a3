/**
 * The HCI path end to end, with real host stacks on both sides: the bridge's `--radio hci`
 * (stock noble core and noble's own HCI bindings) and the simulator's `radio: 'hci'` (stock
 * bleno serving the band's GATT service), each on its own virtual controller
 * (harness/radio/), which carry HCI between them as two Link Layers would. Only
 * @abandonware/bluetooth-hci-socket is replaced, by a socket to the controller.
 *
 * A band is enrolled, given a card, unlocked and pays over HCI; the same band then pays over
 * the websocket radio, and both payments come out the same. The controllers see no command
 * they do not know and no ACL buffer overrun, and the charge's traffic crosses in the
 * connection events the link model allows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCard, charge, enrollBand, unlockBand } from '../../bridge/flows/index.ts';
import { pairTerminal, terminalClient } from '../../bridge/flows/pair.ts';
import { BandSession } from '../../bridge/relay/band-session.ts';
import { connectNearest } from '../../bridge/transport/nearest.ts';
import { createWebsocketTransport } from '../../bridge/transport/noble-websocket.ts';
import { openTransport, parseRadio } from '../../bridge/transport/select.ts';
import type { BandTransport } from '../../bridge/transport/types.ts';
import type { CheckoutClient } from '../../checkout/api/client.ts';
import { VirtualAir } from '../../harness/radio/air.ts';
import { type H4Server, serveH4 } from '../../harness/radio/h4-server.ts';
import { Err, Evt, H4 } from '../../harness/radio/hci.ts';
import { installVirtualHciSocket } from '../../harness/radio/install-hci-socket.ts';
import { type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { testImages } from '../../harness/images.ts';
import { Status } from '../../shared/status/codes.ts';
import type { Simulator } from '../../sim/band/simulator.ts';
import { runCli } from '../bridge/helpers/cli.ts';
import { PASSWORD, ownerAccount, pairingCode, unique } from '../bridge/helpers/world.ts';
import { flashedDir, removeTempDirs, startOnAnyPort, waitFor } from '../sim/helpers/sim.ts';

const BRIDGE_ADDRESS = '00:00:5e:00:53:01';
const BAND_ADDRESS = '00:00:5e:00:53:02';

const dir = mkdtempSync(join(tmpdir(), 'wristpay-vhci-'));
const air = new VirtualAir({ link: { ciMs: 7.5, mtu: 185 } });
const bridgeController = air.controller({ address: BRIDGE_ADDRESS });
const bandController = air.controller({ address: BAND_ADDRESS, rssi: -47 });
let servers: H4Server[] = [];
let sim: Simulator;
let h: Harness;
let hci: BandTransport;

beforeAll(async () => {
  servers = [
    await serveH4(bridgeController, join(dir, 'hci0.sock'), true),
    await serveH4(bandController, join(dir, 'hci1.sock'), true),
  ];
  installVirtualHciSocket({ 0: servers[0].endpoint, 1: servers[1].endpoint });
  process.env.NOBLE_HCI_DEVICE_ID = '0';
  process.env.BLENO_HCI_DEVICE_ID = '1';
  const img = await testImages();
  sim = await startOnAnyPort(flashedDir(img.main, img.vendorPub), { radio: 'hci', link: 'mtu=185' });
  h = await startHarness();
  const spec = parseRadio('hci');
  if (spec === null) throw new Error('--radio hci is not a radio');
  const t = openTransport(spec);
  if (t === null) throw new Error('--radio hci opened no transport');
  hci = t;
}, 120_000);

afterAll(async () => {
  await hci?.close();
  await sim?.stop();
  await h?.close();
  for (const s of servers) await s.close();
  air.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

/** Opcodes a host sent, and those its controller answered Unknown HCI Command. */
function commands(server: H4Server): { sent: Set<number>; unknown: number[] } {
  const sent = new Set<number>();
  const unknown: number[] = [];
  for (const { dir: d, packet } of server.trace) {
    if (d === 'h2c' && packet[0] === H4.COMMAND) sent.add(packet.readUInt16LE(1));
    if (
      d === 'c2h' &&
      packet[0] === H4.EVENT &&
      packet[1] === Evt.COMMAND_COMPLETE &&
      packet[6] === Err.UNKNOWN_COMMAND
    )
      unknown.push(packet.readUInt16LE(4));
  }
  return { sent, unknown };
}

describe("the bridge's --radio hci against the simulator's --radio hci", () => {
  let session: BandSession;
  let owner: CheckoutClient;
  let username: string;
  let terminal: CheckoutClient;
  const receipts: Record<'hci' | 'websocket', unknown> = { hci: null, websocket: null };

  it('scans the band at its private address, which rotates as on the websocket radio', async () => {
    expect(hci.kind).toBe('hci');
    const first = sim.band(1).address;
    expect(first).not.toBe(BAND_ADDRESS);
    expect((await hci.scan({ timeoutMs: 300 })).map((b) => b.address)).toEqual([first]);
    sim.band(1).hw.radio.newAddress();
    const second = sim.band(1).address;
    expect(second).not.toBe(first);
    // The old address may still be heard in the scan that spans the change; then only the new one.
    let heard: (string | undefined)[] = [];
    for (let i = 0; i < 5 && !(heard.length === 1 && heard[0] === second); i++)
      heard = (await hci.scan({ timeoutMs: 250 })).map((b) => b.address);
    expect(heard).toEqual([second]);
  });

  it('connects to the nearest band at the link model MTU', async () => {
    const near = await connectNearest(hci, { scanMs: 600 });
    expect(near.found).toEqual([expect.objectContaining({ address: sim.band(1).address, rssi: -47, name: '' })]);
    expect(near.link?.mtu).toBe(185);
    session = new BandSession(near.link!);
    expect(await session.readInfo()).toMatchObject({ type: 'info', enrolled: false });
    // Held over HCI, the band is not on the websocket radio for another central.
    const ws = createWebsocketTransport(`ws://127.0.0.1:${sim.radioPort}`);
    try {
      const err = await ws.connect(sim.band(1).peripheralId, { timeoutMs: 800 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: Status.UNREACHABLE });
    } finally {
      await ws.close();
    }
  });

  it('enrolls, adds a card and unlocks over HCI', async () => {
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

  it('pays over HCI (hello, challenge, answer, result): one ATT PDU per fragment, one write response per write', async () => {
    const conn = air.connections.find((c) => c.connected);
    if (!conn) throw new Error('no connection on the air');
    const band = sim.band(1).hw.link;
    conn.link.resetCounters();
    band.resetCounters();
    const r = await charge(terminal, session, { amount: 880, currency: 'CNY', orderId: unique('hci-') });
    expect(r).toMatchObject({ ok: true, outcome: 'paid', resultShown: true });
    receipts.hci = r;
    // The band's link counts the fragments it wrote and notified (as on the websocket); the air
    // counts PDUs. Each write request carries one fragment up behind an L2CAP header (4 bytes)
    // and an ATT header (3: opcode, handle); each comes back as a Write Response (4 + 1) down,
    // beside the notifications (4 + 3 each). Nothing else crosses during a payment.
    const onAir = conn.link.counters();
    const app = band.counters();
    expect(app.up.fragments).toBeGreaterThanOrEqual(3); // HELLO_REQUEST, CHALLENGE, RESULT
    expect(app.down.fragments).toBeGreaterThanOrEqual(2); // HELLO, ANSWER
    expect(onAir.up).toMatchObject({ fragments: app.up.fragments, bytes: app.up.bytes + 7 * app.up.fragments });
    expect(onAir.down).toMatchObject({
      fragments: app.down.fragments + app.up.fragments,
      bytes: app.down.bytes + 7 * app.down.fragments + 5 * app.up.fragments,
    });
    // One PDU per direction per connection event (the link model's conservative case).
    expect(onAir.connectionEvents).toBeGreaterThanOrEqual(Math.max(onAir.up.events, onAir.down.events));
    await session.close();
  });

  it('pays the same over the websocket radio', async () => {
    // The band advertises again on the websocket once the HCI link is down.
    await waitFor('HCI link down', () => !sim.band(1).hw.radio.connected);
    const ws = createWebsocketTransport(`ws://127.0.0.1:${sim.radioPort}`);
    try {
      const near = await connectNearest(ws, { scanMs: 600 });
      const again = new BandSession(near.link!);
      const r = await charge(terminal, again, { amount: 880, currency: 'CNY', orderId: unique('ws-') });
      receipts.websocket = r;
      await again.close();
    } finally {
      await ws.close();
    }
    const shape = (r: unknown) => {
      const x = r as { ok: boolean; outcome: string; resultShown: boolean; receipt: Record<string, unknown> };
      const { amount, currency, method, card, merchant } = x.receipt;
      return { ok: x.ok, outcome: x.outcome, resultShown: x.resultShown, amount, currency, method, card, merchant };
    };
    expect(shape(receipts.websocket)).toEqual(shape(receipts.hci));
    expect(shape(receipts.hci)).toMatchObject({ amount: 880, currency: 'CNY', method: 'band' });
  });

  it("the CLI's `bridge status --radio hci` (last: closing it stops noble's socket for the process)", async () => {
    const r = await runCli([
      'bridge',
      'status',
      '--radio',
      'hci',
      '--scan-ms',
      '600',
      '--json',
      '--config',
      join(dir, 'none.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, band: { mtu: 185, enrolled: true }, nearby: [{ rssi: -47 }] });
  });

  it('both host stacks stayed within the controllers: every command known, no buffer overrun', () => {
    const noble = commands(servers[0]);
    const bleno = commands(servers[1]);
    expect(noble.unknown).toEqual([]);
    expect(bleno.unknown).toEqual([]);
    expect(noble.sent.size).toBeGreaterThan(8);
    expect(bleno.sent.size).toBeGreaterThan(8);
    expect(bridgeController.overruns).toBe(0);
    expect(bandController.overruns).toBe(0);
  });
});
