/**
 * The virtual controller against the Bluetooth Core Specification (Vol 4 Part E for HCI, Vol 6
 * Part B for the Link Layer), driven by a bare HCI host: what each command answers, which
 * events follow on which side, what is disallowed, and how flow control and the event masks
 * work. noble and bleno use the same controller in hci-charge.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualAir } from '../../harness/radio/air.ts';
import type { VirtualController } from '../../harness/radio/controller.ts';
import { LE_ACL_PACKETS } from '../../harness/radio/controller-links.ts';
import { type H4Server, serveH4 } from '../../harness/radio/h4-server.ts';
import { Err, Evt, LeEvt, Op, Pb } from '../../harness/radio/hci.ts';
import { RawHost } from './helpers/raw-host.ts';

const A = '00:00:5e:00:53:21';
const B = '00:00:5e:00:53:22';
/** A static random address (two top bits set), little-endian. */
const RANDOM = [0x06, 0x05, 0x04, 0x03, 0x02, 0xc1];
const le = (text: string): number[] => [...Buffer.from(text.split(':').reverse().join(''), 'hex')];
const u16 = (v: number): number[] => [v & 0xff, v >> 8];

let dir: string;
let air: VirtualAir;
let servers: H4Server[];
let a: RawHost;
let b: RawHost;
let ctrlA: VirtualController;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wristpay-vctl-'));
  air = new VirtualAir({ link: { ciMs: 10 } });
  ctrlA = air.controller({ address: A });
  servers = [
    await serveH4(ctrlA, join(dir, 'a.sock')),
    await serveH4(air.controller({ address: B, rssi: -61 }), join(dir, 'b.sock')),
  ];
  a = new RawHost(servers[0].endpoint);
  b = new RawHost(servers[1].endpoint);
  // LE Meta events are masked after reset (§7.3.1 default 0x00001FFFFFFFFFFF): unmask them, as noble and bleno do.
  for (const h of [a, b])
    expect((await h.command(Op.SET_EVENT_MASK, [...Buffer.from('fffffbff07f8bf3d', 'hex')])).status).toBe(0);
});

afterEach(async () => {
  a.close();
  b.close();
  for (const s of servers) await s.close();
  air.close();
  rmSync(dir, { recursive: true, force: true });
});

/** B advertises (ADV_IND, 20 ms, from its random address when `random`), A scans actively. */
async function advertiseAndScan(random: boolean): Promise<void> {
  if (random) expect((await b.command(Op.LE_SET_RANDOM_ADDRESS, RANDOM)).status).toBe(Err.SUCCESS);
  const params = [...u16(0x20), ...u16(0x20), 0x00, random ? 1 : 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0x00];
  expect((await b.command(Op.LE_SET_ADV_PARAMS, params)).status).toBe(Err.SUCCESS);
  const data = Buffer.alloc(32);
  data.set([3, 2, 0x01, 0x06], 0);
  expect((await b.command(Op.LE_SET_ADV_DATA, data)).status).toBe(Err.SUCCESS);
  expect((await b.command(Op.LE_SET_ADV_ENABLE, [1])).status).toBe(Err.SUCCESS);
}

/** A connects to B (B advertising from its public address) and both hear LE Connection Complete. */
async function connect(): Promise<{ ha: number; hb: number }> {
  await advertiseAndScan(false);
  const create = [...u16(0x60), ...u16(0x30), 0, 0, ...le(B), 0, ...u16(6), ...u16(12), 0, 0, ...u16(42), 0, 0, 0, 0];
  expect((await a.command(Op.LE_CREATE_CONN, create)).status).toBe(Err.SUCCESS);
  const ea = await a.next((e) => e.code === Evt.LE_META && e.params[0] === LeEvt.CONNECTION_COMPLETE);
  const eb = await b.next((e) => e.code === Evt.LE_META && e.params[0] === LeEvt.CONNECTION_COMPLETE);
  return { ha: ea.params.readUInt16LE(2), hb: eb.params.readUInt16LE(2) };
}

describe('reset and reads (§7.3.2, §7.4, §7.8.2)', () => {
  it('answers what noble and bleno read at start', async () => {
    expect((await a.command(Op.RESET)).status).toBe(Err.SUCCESS);
    const version = await a.command(Op.READ_LOCAL_VERSION);
    expect(version.ret[0]).toBeGreaterThanOrEqual(0x06); // noble and bleno refuse HCI < 4.0
    expect((await a.command(Op.READ_BD_ADDR)).ret).toEqual(Buffer.from(le(A)));
    const buffers = await a.command(Op.LE_READ_BUFFER_SIZE);
    expect([buffers.ret.readUInt16LE(0), buffers.ret[2]]).toEqual([251, LE_ACL_PACKETS]);
    // LMP features bit 38 LE Supported (Controller); LE features bit 5 DLE, bit 8 LE 2M.
    expect((await a.command(Op.READ_LOCAL_FEATURES)).ret[4] & 0x40).toBe(0x40);
    const leFeatures = (await a.command(Op.LE_READ_LOCAL_FEATURES)).ret;
    expect([leFeatures[0] & 0x20, leFeatures[1] & 0x01]).toEqual([0x20, 0x01]);
  });

  it('answers an unknown command with Unknown HCI Command (§4.5)', async () => {
    expect((await a.command(0x2019, Buffer.alloc(28))).status).toBe(Err.UNKNOWN_COMMAND); // LE Start Encryption
  });
});

describe('advertising and scanning (§7.8.4–§7.8.11, §7.7.65.2)', () => {
  it('refuses a random own address before one is set, and a new one while advertising', async () => {
    const params = [...u16(0x20), ...u16(0x20), 0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0x07, 0x00];
    expect((await b.command(Op.LE_SET_ADV_PARAMS, params)).status).toBe(Err.SUCCESS);
    expect((await b.command(Op.LE_SET_ADV_ENABLE, [1])).status).toBe(Err.INVALID_PARAMETERS);
    await advertiseAndScan(true);
    expect((await b.command(Op.LE_SET_RANDOM_ADDRESS, RANDOM)).status).toBe(Err.COMMAND_DISALLOWED);
    expect((await b.command(Op.LE_SET_ADV_PARAMS, params)).status).toBe(Err.COMMAND_DISALLOWED);
  });

  it('reports ADV_IND and, to an active scanner, SCAN_RSP from the random address', async () => {
    await advertiseAndScan(true);
    expect((await a.command(Op.LE_SET_SCAN_PARAMS, [1, ...u16(0x12), ...u16(0x12), 0, 0])).status).toBe(0);
    expect((await a.command(Op.LE_SET_SCAN_ENABLE, [1, 1])).status).toBe(0);
    await a.next((e) => e.code === Evt.LE_META && e.params[0] === LeEvt.ADVERTISING_REPORT && e.params[2] === 0x04);
    const [adv, rsp] = a.le(LeEvt.ADVERTISING_REPORT);
    expect([adv[1], adv[2], [...adv.subarray(3, 9)], adv[9]]).toEqual([0x00, 1, RANDOM, 3]);
    expect(adv.readInt8(adv.length - 1)).toBe(-61);
    expect(rsp[1]).toBe(0x04);
    // Filter duplicates: nothing more from the same advertiser while the scan runs.
    await new Promise((r) => setTimeout(r, 80));
    expect(a.le(LeEvt.ADVERTISING_REPORT)).toHaveLength(2);
  });
});

describe('connections (§7.8.12, §7.7.65.1, §7.1.6, §7.7.5)', () => {
  it('completes on both sides, with roles and addresses, and B stops advertising', async () => {
    await connect();
    const [ca] = a.le(LeEvt.CONNECTION_COMPLETE);
    const [cb] = b.le(LeEvt.CONNECTION_COMPLETE);
    expect([ca[0], ca[3], [...ca.subarray(5, 11)]]).toEqual([Err.SUCCESS, 0, le(B)]); // central, peer B
    expect([cb[0], cb[3], [...cb.subarray(5, 11)]]).toEqual([Err.SUCCESS, 1, le(A)]); // peripheral, peer A
    expect(ca.readUInt16LE(11)).toBe(8); // 10 ms in 1.25 ms units, within 6..12
    expect((await b.command(Op.LE_SET_ADV_PARAMS, Buffer.alloc(15, 0x20))).status).not.toBe(Err.COMMAND_DISALLOWED);
  });

  it('cancels a pending LE Create Connection with Unknown Connection Identifier (§7.8.13)', async () => {
    const create = [...u16(0x60), ...u16(0x30), 0, 0, ...le(B), 0, ...u16(6), ...u16(12), 0, 0, ...u16(42), 0, 0, 0, 0];
    expect((await a.command(Op.LE_CREATE_CONN, create)).status).toBe(Err.SUCCESS);
    expect((await a.command(Op.LE_CREATE_CONN, create)).status).toBe(Err.COMMAND_DISALLOWED);
    expect((await a.command(Op.LE_CREATE_CONN_CANCEL)).status).toBe(Err.SUCCESS);
    const done = await a.next((e) => e.code === Evt.LE_META && e.params[0] === LeEvt.CONNECTION_COMPLETE);
    expect(done.params[1]).toBe(Err.UNKNOWN_CONNECTION);
  });

  it('Disconnect: the peer hears the reason, the local host Terminated By Local Host', async () => {
    const { ha, hb } = await connect();
    expect((await a.command(Op.DISCONNECT, [...u16(ha), Err.REMOTE_USER_TERMINATED])).status).toBe(Err.SUCCESS);
    const da = await a.next((e) => e.code === Evt.DISCONNECTION_COMPLETE);
    const db = await b.next((e) => e.code === Evt.DISCONNECTION_COMPLETE);
    expect([da.params.readUInt16LE(1), da.params[3]]).toEqual([ha, Err.LOCAL_HOST_TERMINATED]);
    expect([db.params.readUInt16LE(1), db.params[3]]).toEqual([hb, Err.REMOTE_USER_TERMINATED]);
    expect((await a.command(Op.DISCONNECT, [...u16(ha), 0x13])).status).toBe(Err.UNKNOWN_CONNECTION);
  });

  it('a host that vanishes: its peer times out after the supervision timeout (Vol 6 Part B §4.5.2)', async () => {
    await connect();
    const t0 = Date.now();
    a.close();
    const db = await b.next((e) => e.code === Evt.DISCONNECTION_COMPLETE, 0, 2000);
    expect(db.params[3]).toBe(Err.CONNECTION_TIMEOUT);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400); // 42 × 10 ms, less timer slack
  });
});

describe('ACL data and flow control (§4.1.1, §5.4.2, §7.7.19)', () => {
  it('carries packets in connection events, completes each, and counts an overrun', async () => {
    const { ha } = await connect();
    const t0 = performance.now();
    for (let i = 0; i < LE_ACL_PACKETS; i++)
      a.sendAcl(ha, i === 0 ? Pb.FIRST_NON_FLUSHABLE : Pb.CONTINUING, Buffer.from([i]));
    a.sendAcl(ha, Pb.CONTINUING, Buffer.from([0xff])); // beyond the 8 buffers granted
    await b.next(() => b.acl.length === LE_ACL_PACKETS, 0, 3000);
    // One PDU per connection event (10 ms): 8 packets take about 8 events.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(60);
    expect(b.acl.map((p) => [p.pb, p.data[0]])).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i === 0 ? Pb.FIRST_FLUSHABLE : Pb.CONTINUING, i]),
    );
    const completed = (): number =>
      a.events
        .filter((e) => e.code === Evt.NUMBER_OF_COMPLETED_PACKETS)
        .reduce((n, e) => n + e.params.readUInt16LE(3), 0);
    await a.next(() => completed() === LE_ACL_PACKETS);
    expect(ctrlA.overruns).toBe(1);
    // The buffers are free again: the next packet goes through.
    a.sendAcl(ha, Pb.FIRST_NON_FLUSHABLE, Buffer.from([9]));
    await b.next(() => b.acl.length === LE_ACL_PACKETS + 1);
    expect(ctrlA.overruns).toBe(1);
  });
});

describe('procedures and event masks (§7.8.18, §7.8.33, §7.8.49, §7.8.1)', () => {
  it('reports a Data Length Change only to hosts that unmasked it', async () => {
    const { ha } = await connect();
    expect((await a.command(Op.LE_SET_EVENT_MASK, [0x7f, 0, 0, 0, 0, 0, 0, 0])).status).toBe(0);
    expect((await a.command(Op.LE_SET_DATA_LENGTH, [...u16(ha), ...u16(251), ...u16(2120)])).status).toBe(0);
    const change = await a.next((e) => e.code === Evt.LE_META && e.params[0] === LeEvt.DATA_LENGTH_CHANGE);
    expect([change.params.readUInt16LE(3), change.params.readUInt16LE(7)]).toEqual([251, 27]); // tx 251, rx 27
    await new Promise((r) => setTimeout(r, 30));
    expect(b.le(LeEvt.DATA_LENGTH_CHANGE)).toEqual([]); // B kept the default LE mask 0x1f
  });

  it('updates the PHY to LE 2M and the connection parameters on both sides', async () => {
    const { ha } = await connect();
    for (const h of [a, b])
      expect((await h.command(Op.LE_SET_EVENT_MASK, [0x1f, 0x08, 0, 0, 0, 0, 0, 0])).status).toBe(0);
    expect((await a.command(Op.LE_SET_PHY, [...u16(ha), 0, 0x02, 0x02, 0, 0])).status).toBe(Err.SUCCESS);
    const phy = await b.next((e) => e.code === Evt.LE_META && e.params[0] === LeEvt.PHY_UPDATE_COMPLETE);
    expect([phy.params[1], phy.params[4], phy.params[5]]).toEqual([Err.SUCCESS, 2, 2]);
    expect((await a.command(Op.LE_READ_PHY, u16(ha))).ret.subarray(2)).toEqual(Buffer.from([2, 2]));
    const update = [...u16(ha), ...u16(24), ...u16(24), 0, 0, ...u16(100), 0, 0, 0, 0];
    expect((await a.command(Op.LE_CONN_UPDATE, update)).status).toBe(Err.SUCCESS);
    for (const h of [a, b]) {
      const u = await h.next((e) => e.code === Evt.LE_META && e.params[0] === LeEvt.CONNECTION_UPDATE_COMPLETE);
      expect([u.params[1], u.params.readUInt16LE(4), u.params.readUInt16LE(8)]).toEqual([0, 24, 100]);
    }
  });
});
