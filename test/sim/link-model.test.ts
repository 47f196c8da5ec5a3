/**
 * The link model: fragments wait for connection events, one per direction per event;
 * losses delay but never drop; counters per direction; and the simulator honours it end
 * to end (a fragmented message costs one connection interval per fragment).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { fragmentMessage } from '../../shared/framing/fragment.ts';
import { Gatt } from '../../shared/protocol/constants.ts';
import { LinkModel, parseLinkSpec } from '../../sim/band/link-model.ts';
import { normUuid } from '../../sim/band/noble-protocol.ts';
import { testImages } from '../../harness/images.ts';
import { RawCentral } from './helpers/raw-central.ts';
import { flashedDir, removeTempDirs, startOnAnyPort } from './helpers/sim.ts';

afterAll(removeTempDirs);

function deliveries(link: LinkModel, dir: 'up' | 'down', n: number): Promise<number[]> {
  const start = performance.now();
  const at: number[] = [];
  return new Promise((resolve) => {
    for (let i = 0; i < n; i++) {
      link.send(dir, 20, () => {
        at.push(performance.now() - start);
        if (at.length === n) resolve(at);
      });
    }
  });
}

describe('parseLinkSpec', () => {
  it('reads ci, mtu, loss (also as a percentage) and keeps defaults for the rest', () => {
    expect(parseLinkSpec('ci=15,mtu=185,loss=0')).toEqual({ ciMs: 15, mtu: 185, loss: 0 });
    expect(parseLinkSpec('loss=5%')).toEqual({ ciMs: 0, mtu: 185, loss: 0.05 });
    expect(parseLinkSpec(undefined)).toEqual({ ciMs: 0, mtu: 185, loss: 0 });
    for (const bad of ['ci=-1', 'mtu=22', 'mtu=518', 'mtu=100.5', 'loss=1', 'speed=9', 'ci'])
      expect(() => parseLinkSpec(bad), bad).toThrow(/link/);
  });
});

describe('LinkModel', () => {
  it('ci = 0 delivers at once and still counts', () => {
    const link = new LinkModel({ ciMs: 0, mtu: 23, loss: 0 });
    link.connect();
    let got = 0;
    link.send('up', 20, () => got++);
    link.send('down', 7, () => got++);
    expect(got).toBe(2);
    expect(link.counters()).toEqual({
      up: { bytes: 20, fragments: 1, events: 1, retransmissions: 0 },
      down: { bytes: 7, fragments: 1, events: 1, retransmissions: 0 },
      connectionEvents: 0,
    });
  });

  it('sends one fragment per direction per connection event, in order', async () => {
    const link = new LinkModel({ ciMs: 20, mtu: 185, loss: 0 });
    link.connect();
    const [up, down] = await Promise.all([deliveries(link, 'up', 4), deliveries(link, 'down', 4)]);
    for (const times of [up, down]) {
      expect(times[3]).toBeGreaterThanOrEqual(57); // the 4th event (Node timers may fire ~1 ms early)
      for (let i = 1; i < 4; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(15);
    }
    const c = link.counters();
    expect(c.up).toEqual({ bytes: 80, fragments: 4, events: 4, retransmissions: 0 });
    expect(c.connectionEvents).toBe(4); // both directions shared the same events
    link.close();
  });

  it('retransmits lost fragments at the next event: nothing is lost, only late', async () => {
    const link = new LinkModel({ ciMs: 5, mtu: 185, loss: 0.5, seed: 42 });
    link.connect();
    const order: number[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 10; i++) {
        link.send('up', 10, () => {
          order.push(i);
          if (order.length === 10) resolve();
        });
      }
    });
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const c = link.counters().up;
    expect(c.fragments).toBe(10);
    expect(c.retransmissions).toBeGreaterThan(0);
    expect(c.events).toBe(10 + c.retransmissions);
    link.close();
  });

  it('drops what is queued when the connection closes', () => {
    const link = new LinkModel({ ciMs: 50, mtu: 185, loss: 0 });
    link.connect();
    let got = 0;
    link.send('up', 10, () => got++);
    link.close();
    expect(link.pending('up')).toBe(0);
    link.send('up', 10, () => got++); // closed: ignored
    expect(got).toBe(0);
  });
});

describe('the simulator honours the link model', () => {
  it('a 3-fragment write costs 3 connection events; figures appear in status', async () => {
    const img = await testImages();
    const sim = await startOnAnyPort(flashedDir(img.fault, img.vendorPub), { link: 'ci=25,mtu=23' });
    try {
      const id = sim.band(1).peripheralId;
      const c = await RawCentral.open(sim.radioPort);
      await c.connect(id);
      expect(await c.type('mtu')).toMatchObject({ peripheralUuid: id, mtu: 23 });
      const frags = fragmentMessage(FrameCommand.MSG, new Uint8Array(50).fill(1), 23);
      expect(frags).toHaveLength(3);
      const t0 = performance.now();
      for (const f of frags) {
        c.send({
          action: 'write',
          peripheralUuid: id,
          serviceUuid: normUuid(Gatt.SERVICE),
          characteristicUuid: normUuid(Gatt.CONTROL_POINT),
          data: Buffer.from(f).toString('hex'),
        });
        await c.type('write');
      }
      expect(performance.now() - t0).toBeGreaterThanOrEqual(45); // 2 more intervals after the first event
      const s = sim.band(1).status().link;
      expect(s).toMatchObject({
        ciMs: 25,
        mtu: 23,
        up: { fragments: 3, events: 3, bytes: frags.reduce((n, f) => n + f.length, 0) },
      });
      c.close();
    } finally {
      await sim.stop();
    }
  });
});
