/**
 * Issue 11 item 6, attacked as a tracker would: a passive scanner (a raw noble-websocket
 * client, hearing every advertisement) watches two bands of the real image in the simulator
 * across a wear change, a removal, a simulator restart and a rotation period. Every address
 * it hears is a fresh resolvable private address (Core Vol 6 Part B §1.3.2.2); nothing else in
 * an advertisement tells one band from another, so nothing links two addresses. The owner's
 * bridge, holding the IRK it learned at enrollment, resolves each of its band's addresses and
 * finds its band among strangers'; a stranger's IRK resolves none of them. The IRK itself
 * never crosses the air in clear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollBand } from '../../bridge/flows/index.ts';
import { BandSession } from '../../bridge/relay/band-session.ts';
import { connectNearest, connectWithRetry } from '../../bridge/transport/nearest.ts';
import { createWebsocketTransport } from '../../bridge/transport/noble-websocket.ts';
import type { BandLink, BandTransport } from '../../bridge/transport/types.ts';
import { isResolvable, parseAddress, resolves } from '../../shared/radio/rpa.ts';
import type { Simulator } from '../../sim/band/simulator.ts';
import { normUuid } from '../../sim/band/noble-protocol.ts';
import { Gatt } from '../../shared/protocol/constants.ts';
import { startHarness, type Harness } from '../../harness/checkout-harness.ts';
import { testImages } from '../../harness/images.ts';
import { RawCentral, type Frame } from '../sim/helpers/raw-central.ts';
import { flashedDir, removeTempDirs, startOnAnyPort, waitFor } from '../sim/helpers/sim.ts';
import { ownerAccount } from './helpers/world.ts';

const SERVICE = normUuid(Gatt.SERVICE);
const ROTATION_MS = 3000;
const FIRMWARE = { removalDebounceMs: 100 };

let dir: string;
let sim: Simulator;
let h: Harness;
const transports: BandTransport[] = [];
/** What the band sent on the air during each enrollment (every notification, in full). */
const airDuringEnrollment: Uint8Array[] = [];
const irk: Record<'alice' | 'bob', Uint8Array> = { alice: new Uint8Array(0), bob: new Uint8Array(0) };

function radio(): BandTransport {
  const t = createWebsocketTransport(`ws://127.0.0.1:${sim.radioPort}`);
  transports.push(t);
  return t;
}

/** A link whose every notification is also kept, as a sniffer on the channel would keep it. */
function sniffed(link: BandLink): BandLink {
  link.onNotify((f) => airDuringEnrollment.push(f.slice()));
  return link;
}

interface Heard {
  address: string;
  id: string;
  ad: unknown;
}

/** Listens like a passive scanner for `ms`: every advertisement, deduplicated by address. */
async function listen(ms: number): Promise<Heard[]> {
  const c = await RawCentral.open(sim.radioPort);
  c.send({ action: 'startScanning', serviceUuids: [], allowDuplicates: true });
  const heard = new Map<string, Heard>();
  const end = Date.now() + ms;
  try {
    for (;;) {
      const left = end - Date.now();
      if (left <= 0) break;
      const f: Frame | null = await c.next((x) => x.type === 'discover', left).catch(() => null);
      if (f === null) break;
      heard.set(String(f.address), {
        address: String(f.address),
        id: String(f.peripheralUuid),
        ad: { ...(f.advertisement as object), addressType: f.addressType, connectable: f.connectable },
      });
    }
  } finally {
    c.close();
  }
  return [...heard.values()];
}

/** Band k's advertisement as the scanner heard it now (the test knows which is which; the scanner does not). */
async function heardBand(k: number): Promise<Heard> {
  const now = sim.band(k).address;
  const got = (await listen(700)).find((x) => x.address === now);
  if (!got) throw new Error(`band ${k} (${now}) was not heard`);
  return got;
}

async function enroll(k: number, who: 'alice' | 'bob'): Promise<void> {
  const { owner } = await ownerAccount(h);
  const link = sniffed(await connectWithRetry(radio(), sim.band(k).peripheralId, { attempts: 3 }));
  const session = new BandSession(link);
  const r = await enrollBand(owner, session);
  await session.close();
  if (!r.ok) throw new Error(r.message);
  expect(r.value.identityKey, r.value.identityKeyProblem).toBeInstanceOf(Uint8Array);
  irk[who] = r.value.identityKey as Uint8Array;
}

beforeAll(async () => {
  const img = await testImages();
  dir = flashedDir(img.main, img.vendorPub);
  // MTU 517: every message is one fragment, so a clear IRK could not hide across a fragment boundary.
  sim = await startOnAnyPort(dir, { bands: 2, link: 'mtu=517', firmwareConfig: FIRMWARE });
  h = await startHarness();
  await enroll(1, 'alice');
  await enroll(2, 'bob');
}, 180_000);

afterAll(async () => {
  for (const t of transports) await t.close();
  await sim?.stop();
  await h?.close();
  removeTempDirs();
});

describe('a passive scanner cannot follow the band', () => {
  const alice: Heard[] = [];
  const bob: Heard[] = [];

  it('hears a new private address after enrollment, a wear change, a removal, a restart and a rotation period', async () => {
    alice.push(await heardBand(1));
    bob.push(await heardBand(2));

    let before = sim.band(1).address;
    sim.band(1).setWorn(true); // put on
    await waitFor('a new address on putting it on', () => sim.band(1).address !== before);
    alice.push(await heardBand(1));

    before = sim.band(1).address;
    sim.band(1).setWorn(false); // taken off (after the firmware's removal debounce)
    await waitFor('a new address on taking it off', () => sim.band(1).address !== before, 3000);
    alice.push(await heardBand(1));

    await sim.stop(); // a restart: same state directory, same bands, same keys
    sim = await startOnAnyPort(dir, { bands: 2, firmwareConfig: FIRMWARE, addressRotationMs: ROTATION_MS });
    alice.push(await heardBand(1));
    bob.push(await heardBand(2));

    before = sim.band(1).address;
    await waitFor('a rotation with nothing else happening', () => sim.band(1).address !== before, ROTATION_MS * 3);
    alice.push(await heardBand(1));
    bob.push(await heardBand(2));

    const addresses = [...alice, ...bob].map((x) => x.address);
    expect(new Set(addresses).size).toBe(addresses.length); // no address ever repeats
    expect(new Set([...alice, ...bob].map((x) => x.id)).size).toBe(addresses.length); // nor does noble's peripheral id
    for (const a of addresses) expect(isResolvable(parseAddress(a)!), a).toBe(true); // top bits 0b01
  }, 30_000);

  it('no advertisement field could link two addresses: every band advertises the same bytes besides its address', () => {
    // The service UUID is every wristpay band's, so it says "a band" and never "this band"; no
    // name, manufacturer or service data. (RSSI is the channel's, not the band's, and is not
    // compared: the simulator models it as a fixed distance per band.)
    const contents = [...alice, ...bob].map((x) => JSON.stringify(x.ad));
    expect(new Set(contents).size).toBe(1);
    expect(alice[0].ad).toMatchObject({ serviceUuids: [SERVICE], addressType: 'random', connectable: true });
    const ad = alice[0].ad as Record<string, unknown>;
    for (const k of ['localName', 'manufacturerData', 'serviceData', 'txPowerLevel', 'solicitationServiceUuids'])
      expect(ad[k] ?? null, k).toBeNull();
  });

  it("the owner's IRK resolves every one of its band's addresses; another owner's IRK resolves none", () => {
    expect(alice.length).toBe(5);
    for (const x of alice) {
      const a = parseAddress(x.address)!;
      expect(resolves(irk.alice, a), x.address).toBe(true);
      expect(resolves(irk.bob, a), x.address).toBe(false);
    }
    for (const x of bob) {
      const a = parseAddress(x.address)!;
      expect(resolves(irk.bob, a), x.address).toBe(true);
      expect(resolves(irk.alice, a), x.address).toBe(false);
    }
  });

  it('the IRK never crossed the air in clear during enrollment', () => {
    const air = airDuringEnrollment.map((f) => Buffer.from(f).toString('hex')).join(' ');
    expect(airDuringEnrollment.length).toBeGreaterThan(0);
    for (const k of [irk.alice, irk.bob]) expect(air).not.toContain(Buffer.from(k).toString('hex'));
  });
});

describe("the owner's bridge finds its own band; a merchant's takes the nearest", () => {
  const stranger = new Uint8Array(16).fill(7);

  async function pick(identityKeys?: Uint8Array[]): Promise<string | null> {
    const t = radio();
    const near = await connectNearest(t, { scanMs: 700, identityKeys });
    const address = near.band?.address ?? null;
    await near.link?.disconnect();
    return address;
  }

  it("with Bob's IRK the bridge connects to band 2 although band 1 is nearer; with Alice's, band 1", async () => {
    // Fresh addresses first, so a rotation cannot fall between scan and connect.
    for (const k of [1, 2]) sim.band(k).hw.radio.newAddress();
    const bobs = await pick([irk.bob]);
    expect(bobs).not.toBeNull();
    expect(resolves(irk.bob, parseAddress(bobs!)!)).toBe(true);
    for (const k of [1, 2]) sim.band(k).hw.radio.newAddress();
    const alices = await pick([irk.alice]);
    expect(resolves(irk.alice, parseAddress(alices!)!)).toBe(true);
  });

  it("a band that takes a new address during the scan is heard twice; the owner's bridge connects to the newer", async () => {
    for (const k of [1, 2]) sim.band(k).hw.radio.newAddress();
    const t = radio();
    const rotate = setTimeout(() => sim.band(1).hw.radio.newAddress(), 500);
    const near = await connectNearest(t, { scanMs: 1200, identityKeys: [irk.alice] });
    clearTimeout(rotate);
    expect(near.found.filter((b) => resolves(irk.alice, parseAddress(b.address!)!))).toHaveLength(2);
    expect(near.link?.connected).toBe(true);
    expect(near.band?.address).toBe(sim.band(1).address);
    await near.link?.disconnect();
  });

  it("a stranger's IRK finds no band at all; no IRK (a merchant) gets the nearest band", async () => {
    for (const k of [1, 2]) sim.band(k).hw.radio.newAddress();
    expect(await pick([stranger])).toBeNull();
    for (const k of [1, 2]) sim.band(k).hw.radio.newAddress();
    const nearest = await pick();
    expect(resolves(irk.alice, parseAddress(nearest!)!)).toBe(true); // band 1 is the nearer (-45 dBm)
  });
});

describe('rotation and links', () => {
  it('a link keeps the id it was made on while the address rotates; an old address cannot be connected to afterwards', async () => {
    const band = sim.band(2);
    band.hw.radio.newAddress();
    const id = band.peripheralId;
    const c = await RawCentral.open(sim.radioPort);
    try {
      await c.connect(id);
      band.hw.radio.newAddress(); // the timer, or the wearer, during the connection
      expect(band.peripheralId).not.toBe(id);
      c.send({ action: 'read', peripheralUuid: id, serviceUuid: SERVICE, characteristicUuid: normUuid(Gatt.INFO) });
      expect(await c.type('read')).toMatchObject({ peripheralUuid: id, isNotification: false });
      c.send({ action: 'disconnect', peripheralUuid: id });
      await c.next((f) => f.type === 'disconnect' && f.peripheralUuid === id);
      // Probing the old address for the band's presence finds nothing.
      c.send({ action: 'connect', peripheralUuid: id });
      expect(await c.type('error')).toMatchObject({ code: 'unknown-peripheral' });
    } finally {
      c.close();
    }
  });
});
