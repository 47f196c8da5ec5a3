/**
 * Two bugs in noble's HCI bindings that the virtual controller shows, and the patch that fixes
 * them at their root (patches/@abandonware+noble+1.9.2-26.patch; docs/RADIO.md, "What noble
 * got wrong"). Stock noble and a patched copy (harness/radio/patched-noble.ts) each connect,
 * on a controller of their own, to a bare peripheral that answers the ATT MTU exchange as the
 * spec lets a server answer: with its own Rx MTU, 517.
 *
 * - The MTU: stock noble takes 517, more than the 256 it offered; patched, the minimum.
 * - User channel (HCI_CHANNEL_USER): stock noble never reads the controller's buffer size and
 *   its first ACL packet never leaves; patched, the MTU exchange goes through.
 *
 * When a stock expectation fails, noble has fixed it upstream: drop that part of the patch.
 * Upstream: both are fixed in the @stoprocent/noble fork (user channel: its issue #109, PR #111;
 * the MTU: its PR #139, open); @abandonware/noble 1.9.2-26 has neither, and no issue there yet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Noble, NoblePeripheral } from '../../bridge/transport/noble-types.ts';
import { VirtualAir } from '../../harness/radio/air.ts';
import { type H4Server, serveH4 } from '../../harness/radio/h4-server.ts';
import { Evt, LeEvt, Op } from '../../harness/radio/hci.ts';
import { installVirtualHciSocket } from '../../harness/radio/install-hci-socket.ts';
import { patchedNoble } from '../../harness/radio/patched-noble.ts';
import { RawHost } from './helpers/raw-host.ts';

const require = createRequire(import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'wristpay-noble-patch-'));
const air = new VirtualAir();
const servers: H4Server[] = [];
const hosts: RawHost[] = [];
const PERIPHERAL = '00:00:5e:00:53:40';
type Factory = () => Noble;
const stock = require('@abandonware/noble/with-custom-binding') as Factory;
let patched: Factory;

afterAll(async () => {
  for (const h of hosts) h.close();
  for (const s of servers) await s.close();
  air.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A peripheral that advertises and answers ATT Exchange MTU with 517; resolves when it did. */
async function peripheral(at: string): Promise<{ host: RawHost; answered: Promise<void> }> {
  const host = new RawHost(at);
  hosts.push(host);
  await host.command(Op.SET_EVENT_MASK, [...Buffer.from('fffffbff07f8bf3d', 'hex')]);
  await host.command(Op.LE_SET_ADV_PARAMS, [0x20, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0]);
  const data = Buffer.alloc(32);
  data.set([3, 2, 0x01, 0x06]);
  await host.command(Op.LE_SET_ADV_DATA, data);
  await host.command(Op.LE_SET_ADV_ENABLE, [1]);
  const answered = (async () => {
    const conn = await host.next((e) => e.code === Evt.LE_META && e.params[0] === LeEvt.CONNECTION_COMPLETE, 0, 5000);
    const handle = conn.params.readUInt16LE(2);
    // L2CAP on the ATT channel (CID 4), opcode 0x02 Exchange MTU Request (Core Vol 3 Part F §3.4.2.1).
    await host.next(() => host.acl.some((p) => p.data.readUInt16LE(2) === 4 && p.data[4] === 0x02), 0, 1500);
    host.sendAcl(handle, 0, Buffer.from([3, 0, 4, 0, 0x03, ...[517 & 0xff, 517 >> 8]]));
  })();
  return { host, answered };
}

/** One noble (`make`) on its own controller, user channel or not, connected to a fresh peripheral. */
async function connectWith(make: Factory, userChannel: boolean): Promise<{ mtu: number | null; answered: boolean }> {
  const n = servers.length;
  servers.push(
    await serveH4(air.controller({ address: `00:00:5e:00:53:${(0x50 + n).toString(16)}` }), join(dir, `c${n}.sock`)),
  );
  servers.push(await serveH4(air.controller({ address: PERIPHERAL }), join(dir, `p${n}.sock`)));
  installVirtualHciSocket(Object.fromEntries(servers.map((s, i) => [i, s.endpoint])));
  const { answered } = await peripheral(servers[n + 1].endpoint);
  // noble reads both when it builds its HCI object, and nothing else: set them just for that.
  process.env.NOBLE_HCI_DEVICE_ID = String(n);
  if (userChannel) process.env.HCI_CHANNEL_USER = '1';
  const noble = make();
  delete process.env.NOBLE_HCI_DEVICE_ID;
  delete process.env.HCI_CHANNEL_USER;
  noble.on('warning', () => undefined);
  const p = await new Promise<NoblePeripheral>((resolve) => {
    noble.on('stateChange', (s: string) => s === 'poweredOn' && noble.startScanning([], true));
    noble.on('discover', (x: NoblePeripheral) => {
      if (x.address !== PERIPHERAL) return;
      noble.stopScanning();
      resolve(x);
    });
  });
  await new Promise<void>((resolve, reject) => p.connect((err) => (err ? reject(err) : resolve())));
  const ok = await answered.then(
    () => true,
    () => false,
  );
  const end = Date.now() + 500;
  while (p.mtu === null && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return { mtu: p.mtu, answered: ok };
}

describe("noble's HCI bindings, stock and patched", () => {
  it('the patch applies to the installed noble', () => {
    patched = require(join(patchedNoble(dir), 'with-custom-binding.js')) as Factory;
  });

  it('ATT MTU: stock takes the server’s 517; patched, min(256, 517) (Core Vol 3 Part F §3.4.2.2)', async () => {
    expect(await connectWith(stock, false)).toEqual({ mtu: 517, answered: true });
    expect(await connectWith(patched, false)).toEqual({ mtu: 256, answered: true });
  });

  it('user channel: stock never sends its first ACL packet; patched reads the buffer size and does', async () => {
    expect(await connectWith(stock, true)).toEqual({ mtu: null, answered: false });
    expect(await connectWith(patched, true)).toEqual({ mtu: 256, answered: true });
  });
});
