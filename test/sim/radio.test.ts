/**
 * Stock noble (`@abandonware/noble/with-bindings` + noble's own websocket bindings) against
 * the simulator running the real firmware: discover, connect, discover the service and its
 * characteristics, read INFO, write HELLO_REQUEST, receive the band's answer (a fresh band:
 * ERROR NOT_ENROLLED). Port 2846 is what stock bindings dial; when another process holds
 * it, the same stock prototype is pointed at an ephemeral port (noble-client.ts).
 */
import { createRequire } from 'node:module';
import type { Characteristic, Peripheral } from '@abandonware/noble';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { decodeMessage } from '../../shared/messages/clear.ts';
import { Gatt } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import {
  attachSimulatorExtras,
  simulatorBindings,
  type NobleLike,
  type NobleWsBindings,
} from './helpers/noble-client.ts';
import { normUuid } from '../../sim/band/noble-protocol.ts';
import { startSimulator, type Simulator } from '../../sim/band/simulator.ts';
import { DEFAULT_RADIO_PORT } from '../../sim/band/state-dir.ts';
import { FrameCollector, helloRequest } from './helpers/frames.ts';
import { testImages } from '../../harness/images.ts';
import { flashedDir, removeTempDirs, startOnAnyPort, waitFor } from './helpers/sim.ts';

const require = createRequire(import.meta.url);
const SERVICE = normUuid(Gatt.SERVICE);
const CHARS = [Gatt.CONTROL_POINT, Gatt.STATUS, Gatt.INFO].map(normUuid);

let sim: Simulator;
let onDefaultPort = false;
const clients: NobleWsBindings[] = [];

beforeAll(async () => {
  const img = await testImages();
  const dir = flashedDir(img.main, img.vendorPub);
  try {
    sim = await startSimulator({ stateDir: dir, radioPort: DEFAULT_RADIO_PORT, uiPort: 0 });
    onDefaultPort = true;
  } catch {
    sim = await startOnAnyPort(dir); // 2846 is taken on this machine: same stock prototype, other port
  }
});

afterAll(async () => {
  for (const b of clients) b._ws.close();
  await sim?.stop();
  removeTempDirs();
});

/** noble as a user writes it: stock bindings on 2846 (or the stock prototype on our port). */
function stockNoble(extras: boolean): NobleLike {
  const Bindings = require('@abandonware/noble/lib/websocket/bindings') as new () => NobleWsBindings;
  const bindings = onDefaultPort ? new Bindings() : simulatorBindings(sim.radioPort);
  clients.push(bindings);
  const noble = (require('@abandonware/noble/with-bindings') as (b: unknown) => NobleLike)(bindings);
  if (extras) attachSimulatorExtras(noble, bindings);
  return noble;
}

async function discover(noble: NobleLike): Promise<Peripheral> {
  if (noble.state !== 'poweredOn') await new Promise((r) => noble.once('stateChange', r));
  const found = new Promise<Peripheral>((resolve) => noble.once('discover', resolve));
  await noble.startScanningAsync([SERVICE], false);
  const p = await found;
  await noble.stopScanningAsync();
  return p;
}

async function connectAndDiscover(
  noble: NobleLike,
): Promise<{ p: Peripheral; byUuid: Record<string, Characteristic> }> {
  const p = await discover(noble);
  await p.connectAsync();
  const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync([SERVICE], CHARS);
  return { p, byUuid: Object.fromEntries(characteristics.map((c) => [c.uuid, c])) };
}

describe('stock noble over the websocket bindings', () => {
  it('discovers the band by service UUID; the advertisement carries a private address and the service UUID, nothing else', async () => {
    const noble = stockNoble(false);
    const p = await discover(noble);
    const band = sim.band(1);
    expect(p.id).toBe(band.peripheralId);
    expect(p.address).toBe(band.address);
    expect(p.addressType).toBe('random');
    expect(p.address).toMatch(/^[4-7]/); // a resolvable private address (Core Vol 6 Part B §1.3.2.2)
    expect(p.advertisement.localName ?? null).toBeNull();
    expect(p.advertisement.serviceUuids).toEqual([SERVICE]);
    expect(p.advertisement.manufacturerData ?? null).toBeNull();
    expect(p.advertisement.serviceData ?? null).toBeNull();
    expect(JSON.stringify(p.advertisement)).not.toContain(band.serial);
  });

  it('connects, discovers 3 characteristics, reads INFO, writes HELLO_REQUEST and gets ERROR NOT_ENROLLED', async () => {
    const noble = stockNoble(false);
    const { p, byUuid } = await connectAndDiscover(noble);
    expect(p.mtu).toBeNull(); // stock websocket bindings never learn an MTU
    expect(byUuid[normUuid(Gatt.CONTROL_POINT)].properties).toEqual(['write']);
    expect(byUuid[normUuid(Gatt.STATUS)].properties).toEqual(['notify']);
    expect(byUuid[normUuid(Gatt.INFO)].properties).toEqual(['read']);

    const info = decodeMessage(new Uint8Array(await byUuid[normUuid(Gatt.INFO)].readAsync()));
    expect(info).toMatchObject({ ok: true, value: { type: 'info', maxMessageSize: 2048, enrolled: false } });

    const collector = new FrameCollector();
    const status = byUuid[normUuid(Gatt.STATUS)];
    status.on('data', (d: Buffer, isNotification: boolean) => isNotification && collector.push(new Uint8Array(d)));
    await status.subscribeAsync();
    const before = sim.band(1).status().link;
    for (const f of helloRequest(23)) await byUuid[normUuid(Gatt.CONTROL_POINT)].writeAsync(Buffer.from(f), false);
    await waitFor('the answer frame', () => collector.frames.length > 0);
    expect(collector.frames[0]).toEqual({
      cmd: FrameCommand.ERROR,
      message: { type: 'error', status: Status.NOT_ENROLLED },
    });

    const after = sim.band(1).status().link;
    expect(after.connected).toBe(true);
    expect(after.up.fragments - before.up.fragments).toBe(1);
    expect(after.up.bytes - before.up.bytes).toBe(helloRequest(23)[0].length);
    expect(after.down.fragments - before.down.fragments).toBe(1);
    await p.disconnectAsync();
    await waitFor('the band to see the disconnect', () => !sim.band(1).hw.radio.connected);
  });

  it('with the simulator extras attached, peripheral.mtu is the link MTU and frames use it', async () => {
    const noble = stockNoble(true);
    const { p, byUuid } = await connectAndDiscover(noble);
    expect(p.mtu).toBe(185);
    const collector = new FrameCollector();
    byUuid[normUuid(Gatt.STATUS)].on('data', (d: Buffer) => collector.push(new Uint8Array(d)));
    await byUuid[normUuid(Gatt.STATUS)].subscribeAsync();
    for (const f of helloRequest(p.mtu!)) await byUuid[normUuid(Gatt.CONTROL_POINT)].writeAsync(Buffer.from(f), false);
    await waitFor('the answer frame', () => collector.frames.length > 0);
    expect(collector.frames[0].message).toEqual({ type: 'error', status: Status.NOT_ENROLLED });
    await p.disconnectAsync();
  });

  it('reports refusals as simulator errors: a write above ATT_MTU - 3 reaches nothing', async () => {
    const noble = stockNoble(true);
    const { p, byUuid } = await connectAndDiscover(noble);
    const errors: { code: string }[] = [];
    noble.on('simulatorError', (e: { code: string }) => errors.push(e));
    const flash = sim.band(1).hw.flash.toBytes();
    const writes = sim.band(1).status().link.up.fragments;
    void byUuid[normUuid(Gatt.CONTROL_POINT)].writeAsync(Buffer.alloc(183, 0x83), false); // never acknowledged
    await waitFor('the error', () => errors.length > 0);
    expect(errors[0]).toMatchObject({ code: 'oversize', action: 'write', peripheralUuid: p.id });
    expect(sim.band(1).status().link.up.fragments).toBe(writes);
    expect(sim.band(1).hw.flash.toBytes()).toEqual(flash);
    await p.disconnectAsync();
  });
});
