/**
 * The spec link model (sim/band/spec-link-model.ts) in time, beside the conservative one:
 * several frames in one connection event, frames split at the data length, the event length
 * limit spreading them over events, retransmission, the `--link` keys that pick it, and the
 * simulator carrying each write's ATT Write Response as a PDU of its own.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { fragmentMessage } from '../../shared/framing/fragment.ts';
import { Gatt } from '../../shared/protocol/constants.ts';
import { LinkModel, parseLinkSpec } from '../../sim/band/link-model.ts';
import { normUuid } from '../../sim/band/noble-protocol.ts';
import { SpecLinkModel, createLinkModel } from '../../sim/band/spec-link-model.ts';
import { testImages } from '../../harness/images.ts';
import { RawCentral } from './helpers/raw-central.ts';
import { flashedDir, removeTempDirs, startOnAnyPort } from './helpers/sim.ts';

afterAll(removeTempDirs);

/** Sends `n` frames of `bytes` (+ `header`) one way; resolves with each delivery's ms after the send. */
function deliveries(link: LinkModel, n: number, bytes: number, header = 0): Promise<number[]> {
  const start = performance.now();
  const at: number[] = [];
  return new Promise((resolve) => {
    for (let i = 0; i < n; i++)
      link.send(
        'up',
        bytes,
        () => {
          at.push(performance.now() - start);
          if (at.length === n) resolve(at);
        },
        header,
      );
  });
}

describe('--link picks the model', () => {
  it('reads model, phy, dle and ce, and refuses what the spec does not allow', () => {
    expect(parseLinkSpec('ci=15,model=spec,phy=1,dle=27,ce=5')).toEqual({
      ciMs: 15,
      mtu: 185,
      loss: 0,
      model: 'spec',
      phy: 1,
      octets: 27,
      ceMs: 5,
    });
    for (const bad of ['model=fast', 'phy=3', 'dle=26', 'dle=252', 'ce=-1'])
      expect(() => parseLinkSpec(bad), bad).toThrow(/link/);
    expect(createLinkModel(parseLinkSpec('model=spec'))).toBeInstanceOf(SpecLinkModel);
    expect(createLinkModel(parseLinkSpec('ci=15'))).not.toBeInstanceOf(SpecLinkModel);
  });
});

describe('SpecLinkModel', () => {
  it('four frames cross in the first event, where the conservative model takes four', async () => {
    const spec = new SpecLinkModel({ ciMs: 20, mtu: 185, loss: 0, model: 'spec' });
    const single = new LinkModel({ ciMs: 20, mtu: 185, loss: 0 });
    spec.connect();
    single.connect();
    const [fast, slow] = await Promise.all([deliveries(spec, 4, 20, 7), deliveries(single, 4, 20, 7)]);
    expect(slow[3]).toBeGreaterThanOrEqual(77); // the 4th event
    expect(fast[3]).toBeLessThan(slow[3]); // all in the event at 20 ms (LE 2M: 4 × 272 µs + gaps)
    expect(spec.counters()).toEqual({
      up: { bytes: 80, fragments: 4, events: 1, retransmissions: 0, pdus: 4, octets: 108 },
      down: { bytes: 0, fragments: 0, events: 0, retransmissions: 0, pdus: 0, octets: 0 },
      connectionEvents: 1,
    });
    expect(single.counters().connectionEvents).toBe(4);
    spec.close();
    single.close();
  });

  it('splits a frame into PDUs of the data length: 100 octets at 27 are 4 PDUs, one event', async () => {
    const link = new SpecLinkModel({ ciMs: 10, mtu: 185, loss: 0, model: 'spec', phy: 1, octets: 27 });
    link.connect();
    await deliveries(link, 1, 100);
    expect(link.counters().up).toMatchObject({ pdus: 4, octets: 100, events: 1, fragments: 1 });
    link.close();
  });

  it('an event length of 2.5 ms at LE 1M carries one 251-octet PDU: two frames take two events', async () => {
    const link = new SpecLinkModel({ ciMs: 10, mtu: 185, loss: 0, model: 'spec', phy: 1, ceMs: 2.5 });
    link.connect();
    const at = await deliveries(link, 2, 251);
    expect(at[1]).toBeGreaterThanOrEqual(19); // the second event, at 20 ms (timers may fire ~1 ms early)
    expect(link.counters()).toMatchObject({ connectionEvents: 2, up: { pdus: 2, events: 2 } });
    link.close();
  });

  it('lost PDUs are sent again: in order, nothing lost', async () => {
    const link = new SpecLinkModel({ ciMs: 5, mtu: 185, loss: 0.4, seed: 7, model: 'spec' });
    link.connect();
    const order: number[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 10; i++)
        link.send('up', 10, () => {
          order.push(i);
          if (order.length === 10) resolve();
        });
    });
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const c = link.counters().up;
    expect(c.retransmissions).toBeGreaterThan(0);
    expect(c.pdus).toBe(10 + c.retransmissions);
    link.close();
  });

  it('closing drops queued frames and deliveries still due', async () => {
    const link = new SpecLinkModel({ ciMs: 5, mtu: 185, loss: 0, model: 'spec' });
    link.connect();
    let got = 0;
    link.send('up', 10, () => got++);
    link.close();
    await new Promise((r) => setTimeout(r, 15));
    expect(got).toBe(0);
    expect(link.pending('up')).toBe(0);
  });
});

describe('the simulator on the spec model', () => {
  it('each write waits for its Write Response, a PDU of its own the next event: 3 fragments, 6 events', async () => {
    const img = await testImages();
    const sim = await startOnAnyPort(flashedDir(img.fault, img.vendorPub), { link: 'ci=25,mtu=23,model=spec' });
    try {
      const id = sim.band(1).peripheralId;
      const c = await RawCentral.open(sim.radioPort);
      await c.connect(id);
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
      // write, response, write, response, write, response: 5 intervals after the first event.
      expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
      const s = sim.band(1).status().link;
      const bytes = frags.reduce((n, f) => n + f.length, 0);
      expect(s).toMatchObject({
        model: 'spec',
        up: { fragments: 3, events: 3, bytes, pdus: 3, octets: bytes + 3 * 7 },
        down: { fragments: 0, bytes: 0, pdus: 3, octets: 3 * 5 },
        connectionEvents: 6,
      });
      c.close();
    } finally {
      await sim.stop();
    }
  });
});
