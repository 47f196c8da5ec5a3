/**
 * Hostile and broken centrals: malformed frames, unknown actions, characteristics and
 * handles, oversize writes, a second central, a central that vanishes mid-message. Each
 * gets a clear error; the simulator keeps serving the others; the band's flash is untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { Gatt } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import { normUuid } from '../../sim/band/noble-protocol.ts';
import type { Simulator } from '../../sim/band/simulator.ts';
import { FrameCollector, helloRequest } from './helpers/frames.ts';
import { testImages } from '../../harness/images.ts';
import { RawCentral } from './helpers/raw-central.ts';
import { flashedDir, removeTempDirs, startOnAnyPort, waitFor } from './helpers/sim.ts';

const SERVICE = normUuid(Gatt.SERVICE);
const CONTROL = normUuid(Gatt.CONTROL_POINT);
const STATUS = normUuid(Gatt.STATUS);
let sim: Simulator;
let id: string;
let flashAtStart: Uint8Array;
const centrals: RawCentral[] = [];

async function central(): Promise<RawCentral> {
  const c = await RawCentral.open(sim.radioPort);
  centrals.push(c);
  await c.type('stateChange');
  return c;
}

const write = (data: string, extra: object = {}) => ({
  action: 'write',
  peripheralUuid: id,
  serviceUuid: SERVICE,
  characteristicUuid: CONTROL,
  data,
  withoutResponse: false,
  ...extra,
});
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Subscribes and sends HELLO_REQUEST; resolves with the answer frame's status. */
async function helloRoundTrip(c: RawCentral): Promise<number> {
  c.send({ action: 'notify', peripheralUuid: id, serviceUuid: SERVICE, characteristicUuid: STATUS, notify: true });
  await c.type('notify');
  const collector = new FrameCollector();
  for (const f of helloRequest(185)) {
    c.send(write(hex(f)));
    await c.type('write');
  }
  while (collector.frames.length === 0) {
    const n = await c.next((f) => f.type === 'read' && f.isNotification === true);
    collector.push(new Uint8Array(Buffer.from(String(n.data), 'hex')));
  }
  expect(collector.frames[0].cmd).toBe(FrameCommand.ERROR);
  return (collector.frames[0].message as { status: number }).status;
}

beforeAll(async () => {
  const img = await testImages();
  sim = await startOnAnyPort(flashedDir(img.main, img.vendorPub));
  id = sim.band(1).peripheralId;
  flashAtStart = sim.band(1).hw.flash.toBytes();
});

afterAll(async () => {
  for (const c of centrals) c.close();
  expect(sim.band(1).hw.flash.toBytes()).toEqual(flashAtStart); // nothing any test sent touched the flash
  expect(sim.band(1).resetCount).toBe(0);
  await sim.stop();
  removeTempDirs();
});

describe('malformed frames', () => {
  const cases: [string, string | Buffer, string][] = [
    ['not JSON', '{"action": "startScanning"', 'malformed'],
    ['a JSON array', '["startScanning"]', 'malformed'],
    ['no action', '{"peripheralUuid": "00"}', 'malformed'],
    ['an unknown action', '{"action": "selfDestruct"}', 'unknown-action'],
    ['a mistyped field', '{"action": "startScanning", "allowDuplicates": "yes"}', 'malformed'],
    ['odd-length hex data', JSON.stringify({ action: 'write', peripheralUuid: 'aa', data: 'abc' }), 'malformed'],
    ['a 600-byte write', JSON.stringify({ action: 'write', peripheralUuid: 'aa', data: 'ab'.repeat(600) }), 'oversize'],
  ];
  for (const [name, frame, code] of cases) {
    it(`answers ${name} with an error frame (${code}) and keeps serving`, async () => {
      const c = await central();
      c.send(frame);
      expect(await c.type('error')).toMatchObject({ type: 'error', code });
      c.send({ action: 'startScanning', serviceUuids: [SERVICE] });
      expect(await c.type('discover')).toMatchObject({ peripheralUuid: id });
    });
  }

  it('refuses binary frames, and closes (1009) a frame above 16 KiB without disturbing others', async () => {
    const c = await central();
    c.ws.send(Buffer.from([1, 2, 3]));
    expect(await c.type('error')).toMatchObject({ code: 'malformed' });
    const other = await central();
    const big = await central();
    big.send(JSON.stringify({ action: 'startScanning', pad: 'x'.repeat(20000) }));
    await waitFor('the big frame to close its socket', () => big.closed);
    expect(big.closed?.code).toBe(1009);
    other.send({ action: 'startScanning' });
    expect(await other.type('discover')).toMatchObject({ peripheralUuid: id });
  });
});

describe('who may connect', () => {
  it('refuses websocket upgrades from web pages on other origins', async () => {
    const WebSocket = (await import('ws')).default;
    const ws = new WebSocket(`ws://127.0.0.1:${sim.radioPort}`, { origin: 'https://evil.example' });
    const status = await new Promise<number>((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).on('error', () => resolve(-1)),
    );
    expect(status).toBe(403);
  });
});

describe('GATT refusals', () => {
  it('needs a connection, a known band, service, characteristic, descriptor and handle', async () => {
    const c = await central();
    c.send({ action: 'connect', peripheralUuid: '001122334455' });
    expect(await c.type('error')).toMatchObject({ code: 'unknown-peripheral' });
    c.send(write('8300010a'));
    expect(await c.type('error')).toMatchObject({ code: 'not-connected' });
    await c.connect(id);
    const refusals: [object, string][] = [
      [{ ...write('00'), serviceUuid: '180d' }, 'unknown-service'],
      [{ ...write('00'), characteristicUuid: 'deadbeef' }, 'unknown-characteristic'],
      [{ ...write('00'), characteristicUuid: normUuid(Gatt.INFO) }, 'not-permitted'],
      [{ action: 'read', peripheralUuid: id, serviceUuid: SERVICE, characteristicUuid: CONTROL }, 'not-permitted'],
      [
        { action: 'notify', peripheralUuid: id, serviceUuid: SERVICE, characteristicUuid: CONTROL, notify: true },
        'not-permitted',
      ],
      [
        {
          action: 'writeValue',
          peripheralUuid: id,
          serviceUuid: SERVICE,
          characteristicUuid: STATUS,
          descriptorUuid: '2901',
          data: '0100',
        },
        'unknown-descriptor',
      ],
      [{ action: 'writeHandle', peripheralUuid: id, handle: 42, data: '00' }, 'unknown-handle'],
      [{ action: 'writeHandle', peripheralUuid: id, handle: 8, data: '00' }, 'not-permitted'],
      [{ action: 'readHandle', peripheralUuid: id, handle: 999 }, 'unknown-handle'],
      [write('00', { withoutResponse: true }), 'not-permitted'],
      [write('83'.repeat(183)), 'oversize'], // MTU 185: at most 182 bytes
      [
        { action: 'broadcast', peripheralUuid: id, serviceUuid: SERVICE, characteristicUuid: STATUS, broadcast: true },
        'not-permitted',
      ],
    ];
    for (const [frame, code] of refusals) {
      c.send(frame);
      expect(await c.type('error'), JSON.stringify(frame)).toMatchObject({ type: 'error', code });
    }
    expect(sim.band(1).status().link.up.fragments).toBe(0);
    // Still a working link after all that: by handle too.
    c.send({ action: 'readHandle', peripheralUuid: id, handle: 8 });
    expect(await c.type('handleRead')).toMatchObject({ handle: 8 });
    expect(await helloRoundTrip(c)).toBe(Status.NOT_ENROLLED);
    c.send({ action: 'disconnect', peripheralUuid: id });
    await c.type('disconnect');
  });

  it('a second central cannot take a connected band; the first keeps working', async () => {
    const a = await central();
    const b = await central();
    await a.connect(id);
    b.send({ action: 'connect', peripheralUuid: id });
    expect(await b.type('error')).toMatchObject({ code: 'busy' });
    b.send({ action: 'startScanning' });
    await new Promise((r) => setTimeout(r, 600)); // one advertising interval
    expect(b.frames.filter((f) => f.type === 'discover')).toEqual([]); // connected bands do not advertise
    expect(await helloRoundTrip(a)).toBe(Status.NOT_ENROLLED);
    a.send({ action: 'disconnect', peripheralUuid: id });
    await a.type('disconnect');
  });

  it('a central vanishing mid-message frees the band; the next central is served; flash untouched', async () => {
    const before = sim.band(1).hw.flash.toBytes();
    const a = await central();
    await a.connect(id);
    const frags = (await import('../../shared/framing/fragment.ts')).fragmentMessage(
      FrameCommand.MSG,
      new Uint8Array(300).fill(7),
      185,
    );
    expect(frags.length).toBe(2);
    a.send(write(hex(frags[0])));
    await a.type('write');
    a.ws.terminate(); // gone without a goodbye, half a message sent
    await waitFor('the band to drop the link', () => !sim.band(1).hw.radio.connected);
    const b = await central();
    await b.connect(id);
    expect(await helloRoundTrip(b)).toBe(Status.NOT_ENROLLED); // no CHANNEL_BUSY: reassembly was reset
    expect(sim.band(1).hw.flash.toBytes()).toEqual(before);
    b.send({ action: 'disconnect', peripheralUuid: id });
    await b.type('disconnect');
  });
});
