/**
 * A band whose firmware throws, runs away or loses power mid-write resets like a real MCU:
 * the engine is disposed and the link dropped, the image boots again from flash, and
 * flash (boot counter, programmed bytes) and keys survive. A boot loop halts the band.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Gatt } from '../../shared/protocol/constants.ts';
import { bandAction } from '../../sim/band/control-client.ts';
import { normUuid } from '../../sim/band/noble-protocol.ts';
import type { Simulator } from '../../sim/band/simulator.ts';
import { testImages, type TestImages } from '../../harness/images.ts';
import { RawCentral } from './helpers/raw-central.ts';
import { flashedDir, removeTempDirs, startOnAnyPort, tempDir, waitFor } from './helpers/sim.ts';

type Fixture = { fixture: true; boots: number; writes: number; flashed: number; publicKey: string };
let img: TestImages;
const running: Simulator[] = [];

beforeAll(async () => {
  img = await testImages();
});
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});
afterAll(removeTempDirs);

async function fixtureSim(interruptBudget = 40): Promise<{ sim: Simulator; dir: string; c: RawCentral; id: string }> {
  const dir = flashedDir(img.fault, img.vendorPub);
  const sim = await startOnAnyPort(dir, { interruptBudget });
  running.push(sim);
  const c = await RawCentral.open(sim.radioPort);
  const id = sim.band(1).peripheralId;
  await c.connect(id);
  return { sim, dir, c, id };
}

const fw = (sim: Simulator): Fixture => sim.band(1).status().firmwareStatus as Fixture;
const write = (id: string, hex: string) => ({
  action: 'write',
  peripheralUuid: id,
  serviceUuid: normUuid(Gatt.SERVICE),
  characteristicUuid: normUuid(Gatt.CONTROL_POINT),
  data: hex,
});

describe('watchdog and resets', () => {
  for (const [what, op, kind] of [
    ['throws', '02', 'exception'],
    ['runs past its budget', '03', 'watchdog'],
  ] as const) {
    it(`an event that ${what} resets the band; the link drops, flash and keys survive`, async () => {
      const { sim, c, id } = await fixtureSim();
      const before = fw(sim);
      expect(before.boots).toBe(1);
      c.send(write(id, op));
      await c.type('write'); // the radio acknowledges the write before the firmware runs it
      await c.next((f) => f.type === 'disconnect' && f.peripheralUuid === id);
      await waitFor('the band to boot again', () => sim.band(1).running && fw(sim)?.boots === 2);
      const s = sim.band(1).status();
      expect(s.resets).toBe(1);
      expect(s.lastReset?.reason).toBe(`${kind} in radio.onWrite`);
      // The image drops thrown messages (docs/FIRMWARE-IMAGE.md), so an exception shows as its type.
      expect(s.faults.join('\n')).toMatch(
        kind === 'exception' ? /exception in radio\.onWrite: Error/ : /ran past 40 interrupt polls/,
      );
      expect(fw(sim)).toMatchObject({ boots: 2, writes: 0, publicKey: before.publicKey }); // RAM lost, flash and SE kept
      expect(s.heap.used).toBeGreaterThan(s.heap.baseline!);
      expect(
        sim
          .band(1)
          .hw.logs.map((l) => l.text)
          .join('\n'),
      ).toMatch(/reset: /);
      // It serves again, under the new private address it took at boot (docs/PROTOCOL.md §7).
      const again = sim.band(1).peripheralId;
      expect(again).not.toBe(id);
      await c.connect(again);
      c.send(write(again, '01aa'));
      await c.type('write');
      expect(fw(sim).writes).toBe(1);
    });
  }

  it('a power cut injected through the control channel interrupts a flash write and reboots the band', async () => {
    const { sim, dir, c, id } = await fixtureSim();
    c.send({
      action: 'notify',
      peripheralUuid: id,
      serviceUuid: normUuid(Gatt.SERVICE),
      characteristicUuid: normUuid(Gatt.STATUS),
      notify: true,
    });
    await c.type('notify');
    c.send(write(id, '0403')); // program 3 bytes, one operation each
    await c.next((f) => f.type === 'read' && f.isNotification === true);
    expect(fw(sim).flashed).toBe(3);
    await bandAction(dir, 1, 'power-cut', { after: 2 });
    c.send(write(id, '040a')); // 10 more: the 2nd of them is cut
    await c.next((f) => f.type === 'disconnect');
    await waitFor('the band to boot again', () => sim.band(1).running && fw(sim)?.boots === 2);
    const flashed = fw(sim).flashed;
    expect(flashed).toBeGreaterThanOrEqual(4); // the first of the ten landed
    expect(flashed).toBeLessThanOrEqual(5); // the cut one may or may not have
    const s = sim.band(1).status();
    expect(s.lastReset?.reason).toMatch(/power cut/);
    expect(s.flash.powered).toBe(true);
    expect(s.flash.cuts).toBe(1);
  });

  it('a firmware that faults at every boot is halted after 3 tries; reboot tries again', async () => {
    const script = join(tempDir('wristpay-img-'), 'crash.js');
    writeFileSync(script, 'var wristpay; throw new Error("boot failure on purpose");');
    const dir = flashedDir(script, img.vendorPub, true);
    const sim = await startOnAnyPort(dir);
    running.push(sim);
    await waitFor('the halt', () => sim.band(1).status().halted, 5000);
    const s = sim.band(1).status();
    expect(s).toMatchObject({ running: false, firmware: { signed: false, format: 'script' } });
    expect(s.halted).toMatch(/failed to boot 3 times/);
    const c = await RawCentral.open(sim.radioPort);
    c.send({ action: 'connect', peripheralUuid: sim.band(1).peripheralId });
    expect(await c.type('error')).toMatchObject({ code: 'unreachable' });
    c.close();
    sim.band(1).reboot();
    expect(sim.band(1).status().halted).toBeNull();
  });
});
