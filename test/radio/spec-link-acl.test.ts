/**
 * ACL data between two virtual controllers on the spec link model (sim/band/spec-link-model.ts):
 * the 8 packets a host may have outstanding cross in one connection event (More Data), where
 * the conservative model takes 8 (virtual-controller.test.ts), and each is reported completed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualAir } from '../../harness/radio/air.ts';
import { LE_ACL_PACKETS } from '../../harness/radio/controller-links.ts';
import { type H4Server, serveH4 } from '../../harness/radio/h4-server.ts';
import { Err, Evt, LeEvt, Op, Pb } from '../../harness/radio/hci.ts';
import { RawHost } from './helpers/raw-host.ts';

const A = '00:00:5e:00:53:41';
const B = '00:00:5e:00:53:42';
const le = (text: string): number[] => [...Buffer.from(text.split(':').reverse().join(''), 'hex')];
const u16 = (v: number): number[] => [v & 0xff, v >> 8];

let dir: string;
let air: VirtualAir;
let servers: H4Server[];
let a: RawHost;
let b: RawHost;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wristpay-spec-acl-'));
  air = new VirtualAir({ link: { ciMs: 50, model: 'spec' } });
  servers = [
    await serveH4(air.controller({ address: A }), join(dir, 'a.sock')),
    await serveH4(air.controller({ address: B }), join(dir, 'b.sock')),
  ];
  a = new RawHost(servers[0].endpoint);
  b = new RawHost(servers[1].endpoint);
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

describe('ACL data on the spec link model', () => {
  it('8 packets of 200 octets cross in one connection event and are all completed', async () => {
    const adv = [...u16(0x20), ...u16(0x20), 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x07, 0x00];
    expect((await b.command(Op.LE_SET_ADV_PARAMS, adv)).status).toBe(Err.SUCCESS);
    expect((await b.command(Op.LE_SET_ADV_ENABLE, [1])).status).toBe(Err.SUCCESS);
    const create = [
      ...u16(0x60),
      ...u16(0x30),
      0,
      0,
      ...le(B),
      0,
      ...u16(40),
      ...u16(40),
      0,
      0,
      ...u16(100),
      0,
      0,
      0,
      0,
    ];
    expect((await a.command(Op.LE_CREATE_CONN, create)).status).toBe(Err.SUCCESS);
    const ea = await a.next((e) => e.code === Evt.LE_META && e.params[0] === LeEvt.CONNECTION_COMPLETE);
    const ha = ea.params.readUInt16LE(2);
    const t0 = performance.now();
    for (let i = 0; i < LE_ACL_PACKETS; i++) a.sendAcl(ha, Pb.FIRST_NON_FLUSHABLE, Buffer.alloc(200, i));
    await b.next(() => b.acl.length === LE_ACL_PACKETS, 0, 3000);
    // LE 2M, 251-octet PDUs: 8 × (844 + 150 + 44 + 150) µs ≈ 9.5 ms, well inside one 50 ms event
    // (two if the host's packets reach the controller on both sides of an anchor point; the
    // conservative model takes eight, 400 ms).
    expect(performance.now() - t0).toBeLessThan(150);
    expect(b.acl.map((p) => p.data[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const counters = air.connections[0].link.counters();
    expect(counters.connectionEvents).toBeLessThanOrEqual(2);
    expect(counters.up).toMatchObject({ pdus: 8, octets: 1600, fragments: 8 });
    const completed = (): number =>
      a.events
        .filter((e) => e.code === Evt.NUMBER_OF_COMPLETED_PACKETS)
        .reduce((n, e) => n + e.params.readUInt16LE(3), 0);
    await a.next(() => completed() === LE_ACL_PACKETS);
  });
});
