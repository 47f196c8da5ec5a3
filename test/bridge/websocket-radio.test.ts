/**
 * The websocket transport against a radio that misbehaves: a scripted server speaking
 * noble's websocket protocol (as the simulator does) that sends garbage frames, frames
 * noble itself would choke on, devices that are not wristpay bands, error frames instead
 * of answers, and closes the socket mid-link. The bridge filters, refuses and reports —
 * it does not crash and does not wait out a time-out when the radio already said no.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { createWebsocketTransport } from '../../bridge/transport/noble-websocket.ts';
import type { BandTransport } from '../../bridge/transport/types.ts';
import { Gatt } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';

const n = (u: string): string => u.replace(/-/g, '').toLowerCase();
const SERVICE = n(Gatt.SERVICE);
const ALL = [n(Gatt.CONTROL_POINT), n(Gatt.STATUS), n(Gatt.INFO)];

interface Script {
  connect?: 'ok' | 'busy';
  characteristics?: string[];
  write?: 'ack' | 'oversize' | 'close';
}

let server: WebSocketServer | null = null;
let transport: BandTransport | null = null;

afterEach(async () => {
  await transport?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
  transport = null;
});

async function radio(script: Script): Promise<BandTransport> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => server!.once('listening', r));
  server.on('connection', (ws: WebSocket) => {
    const send = (f: unknown): void => ws.send(typeof f === 'string' ? f : JSON.stringify(f));
    send('this is not json');
    send({ type: 'stateChange', state: 'poweredOn' });
    send('[1,2');
    send(null);
    ws.on('message', (data) => {
      const c = JSON.parse(String(data)) as { action: string; peripheralUuid?: string; characteristicUuid?: string };
      const at = { peripheralUuid: 'aa', serviceUuid: SERVICE };
      switch (c.action) {
        case 'startScanning':
          // noble throws on data for a peripheral it never saw: the bridge must survive it.
          send({
            type: 'read',
            peripheralUuid: 'ghost',
            serviceUuid: SERVICE,
            characteristicUuid: ALL[1],
            data: '00',
            isNotification: true,
          });
          send({
            type: 'discover',
            peripheralUuid: 'bb',
            address: 'bb',
            advertisement: { localName: 'headphones', serviceUuids: ['180d'] },
            rssi: -20,
            connectable: true,
          });
          send({
            type: 'discover',
            peripheralUuid: 'aa',
            address: 'aa',
            advertisement: { localName: 'wristpay', serviceUuids: [SERVICE] },
            rssi: -50,
            connectable: true,
          });
          return;
        case 'connect':
          if (script.connect === 'busy')
            return send({
              type: 'error',
              code: 'busy',
              message: 'held by another central',
              action: 'connect',
              peripheralUuid: 'aa',
            });
          send({ type: 'mtu', peripheralUuid: 'aa', mtu: 64 });
          return send({ type: 'connect', peripheralUuid: 'aa' });
        case 'discoverServices':
          return send({ type: 'servicesDiscover', peripheralUuid: 'aa', serviceUuids: [SERVICE] });
        case 'discoverCharacteristics':
          return send({
            type: 'characteristicsDiscover',
            ...at,
            characteristics: (script.characteristics ?? ALL).map((uuid) => ({ uuid, properties: [] })),
          });
        case 'notify':
          return send({ type: 'notify', ...at, characteristicUuid: c.characteristicUuid, state: true });
        case 'read':
          return send({
            type: 'read',
            ...at,
            characteristicUuid: c.characteristicUuid,
            data: 'a1b2',
            isNotification: false,
          });
        case 'write':
          if (script.write === 'oversize')
            return send({
              type: 'error',
              code: 'oversize',
              message: 'too long',
              action: 'write',
              peripheralUuid: 'aa',
            });
          if (script.write === 'close') return ws.close();
          return send({ type: 'write', ...at, characteristicUuid: c.characteristicUuid });
        case 'disconnect':
          return send({ type: 'disconnect', peripheralUuid: 'aa' });
        default:
          return undefined;
      }
    });
  });
  transport = createWebsocketTransport(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return transport;
}

describe('a misbehaving radio', () => {
  it('garbage and unknown-peripheral frames are dropped; only wristpay bands are listed', async () => {
    const t = await radio({});
    expect(await t.scan({ timeoutMs: 200 })).toEqual([
      { id: 'aa', name: 'wristpay', rssi: -50, seenAt: expect.any(Number) },
    ]);
  });

  it("connects: MTU from the simulator's mtu frame, info read, writes acknowledged", async () => {
    const t = await radio({});
    await t.scan({ timeoutMs: 100 });
    const link = await t.connect('aa');
    expect(link.mtu).toBe(64);
    expect(await link.readInfo()).toEqual(new Uint8Array([0xa1, 0xb2]));
    await link.write(new Uint8Array(61));
    await expect(link.write(new Uint8Array(62))).rejects.toMatchObject({ status: Status.OVERSIZE });
  });

  it('a connect the radio refuses (busy) fails at once with BUSY', async () => {
    const t = await radio({ connect: 'busy' });
    await t.scan({ timeoutMs: 100 });
    const started = Date.now();
    await expect(t.connect('aa')).rejects.toMatchObject({ status: Status.BUSY });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a device without the three characteristics is not a wristpay band', async () => {
    const t = await radio({ characteristics: ALL.slice(0, 2) });
    await t.scan({ timeoutMs: 100 });
    await expect(t.connect('aa')).rejects.toMatchObject({
      status: Status.UNREACHABLE,
      message: expect.stringContaining('not a wristpay band'),
    });
  });

  it('a write the radio refuses fails at once with its status', async () => {
    const t = await radio({ write: 'oversize' });
    await t.scan({ timeoutMs: 100 });
    const link = await t.connect('aa');
    const started = Date.now();
    await expect(link.write(new Uint8Array(10))).rejects.toMatchObject({ status: Status.OVERSIZE });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('the socket closing mid-link drops the link: UNREACHABLE, disconnect reported', async () => {
    const t = await radio({ write: 'close' });
    await t.scan({ timeoutMs: 100 });
    const link = await t.connect('aa');
    const down = new Promise<string>((r) => link.onDisconnect(r));
    await expect(link.write(new Uint8Array(10))).rejects.toMatchObject({ status: Status.UNREACHABLE });
    expect(await down).toContain('closed');
    expect(link.connected).toBe(false);
  });
});
