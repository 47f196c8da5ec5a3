/**
 * `sim flash` and the simulator's bootloader: signed images are accepted, damaged,
 * tampered and foreign-signed ones refused (unless --allow-unsigned, which still refuses
 * damage); a band's serial, keys and flash survive restarts. The shipped dist/band.img needs
 * `npm run build` first (npm test and CI run it; a missing image fails in CI).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../shared/status/codes.ts';
import { flashImage, loadFlashedImage } from '../../sim/band/firmware-store.ts';
import { startSimulator } from '../../sim/band/simulator.ts';
import { bandPaths, statePaths } from '../../sim/band/state-dir.ts';
import { testImages, type TestImages } from '../../harness/images.ts';
import { removeTempDirs, startOnAnyPort, tempDir } from './helpers/sim.ts';
import { needs, requirements } from '../support/requirements.ts';

let img: TestImages;
beforeAll(async () => {
  img = await testImages();
});
afterAll(removeTempDirs);

function variant(src: string, edit: (b: Uint8Array) => Uint8Array): string {
  const out = join(tempDir('wristpay-img-'), 'variant.img');
  writeFileSync(out, edit(new Uint8Array(readFileSync(src))));
  return out;
}

describe('sim flash', () => {
  it('accepts the built signed image and writes it, its key and band 1 into DIR', () => {
    const dir = tempDir();
    const r = flashImage({ image: img.main, stateDir: dir, vendorKey: img.vendorPub });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.meta).toMatchObject({ format: 'image', signed: true, devKey: true, firmwareVersion: '0.1.0' });
    const p = statePaths(dir);
    expect(readFileSync(p.firmware)).toEqual(readFileSync(img.main));
    expect(JSON.parse(readFileSync(p.vendorKey, 'utf8')).publicKey).toBe(
      JSON.parse(readFileSync(img.vendorPub, 'utf8')).publicKey,
    );
    expect(r.band.serial).toMatch(/^WP-[0-9A-F]{4}-[0-9A-F]{4}$/);
    expect(r.band).not.toHaveProperty('address'); // no stable address anywhere (docs/PROTOCOL.md §7)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(loadFlashedImage(dir).ok).toBe(true);
  });

  needs(requirements.bandImage).it('accepts dist/band.img with the default vendor key dist/vendor-pub.json', () => {
    const r = flashImage({ image: 'dist/band.img', stateDir: tempDir() });
    expect(r).toMatchObject({ ok: true, meta: { signed: true, format: 'image' } });
  });

  const cases: [string, (b: Uint8Array) => Uint8Array, number][] = [
    [
      'a code byte changed',
      (b) => {
        b[70] ^= 1;
        return b;
      },
      Status.MALFORMED,
    ],
    [
      'a signature byte changed',
      (b) => {
        b[b.length - 1] ^= 1;
        return b;
      },
      Status.BAD_SIGNATURE,
    ],
    ['truncated', (b) => b.subarray(0, b.length - 10), Status.MALFORMED],
    [
      'trailing bytes',
      (b) => {
        const c = new Uint8Array(b.length + 1);
        c.set(b);
        return c;
      },
      Status.MALFORMED,
    ],
    [
      'a zeroed (absent) signature',
      (b) => {
        b.fill(0, b.length - 64);
        return b;
      },
      Status.BAD_SIGNATURE,
    ],
  ];
  for (const [name, edit, status] of cases) {
    it(`refuses an image with ${name}, writing nothing`, () => {
      const dir = tempDir();
      const r = flashImage({ image: variant(img.main, edit), stateDir: dir, vendorKey: img.vendorPub });
      expect(r).toMatchObject({ ok: false, status });
      if (!r.ok) expect(r.message).toMatch(/refused/);
      expect(existsSync(statePaths(dir).firmware)).toBe(false);
    });
  }

  it('refuses an image signed by another vendor key, and bare code, unless --allow-unsigned', () => {
    const dir = tempDir();
    expect(flashImage({ image: img.main, stateDir: dir, vendorKey: img.otherPub })).toMatchObject({
      ok: false,
      status: Status.BAD_SIGNATURE,
    });
    const bare = flashImage({ image: img.mainCode, stateDir: dir, vendorKey: img.vendorPub });
    expect(bare).toMatchObject({ ok: false, status: Status.MALFORMED });
    if (!bare.ok) expect(bare.message).toMatch(/--allow-unsigned/);
    expect(flashImage({ image: img.main, stateDir: dir, vendorKey: img.otherPub, allowUnsigned: true })).toMatchObject({
      ok: true,
      meta: { signed: false, format: 'image' },
    });
    expect(
      flashImage({ image: img.mainCode, stateDir: dir, vendorKey: img.vendorPub, allowUnsigned: true }),
    ).toMatchObject({ ok: true, meta: { signed: false, format: 'script' } });
    expect(loadFlashedImage(dir)).toMatchObject({ ok: true, value: { meta: { format: 'script' } } });
    // Damage is refused even then.
    const damaged = variant(img.main, (b) => {
      b[70] ^= 1;
      return b;
    });
    expect(flashImage({ image: damaged, stateDir: dir, vendorKey: img.vendorPub, allowUnsigned: true })).toMatchObject({
      ok: false,
      status: Status.MALFORMED,
    });
  });

  it('reports a missing image or vendor key clearly', () => {
    const dir = tempDir();
    expect(flashImage({ image: join(dir, 'nope.img'), stateDir: dir })).toMatchObject({
      ok: false,
      status: Status.NOT_FOUND,
    });
    const r = flashImage({ image: img.main, stateDir: dir, vendorKey: join(dir, 'no-key.json') });
    expect(r).toMatchObject({ ok: false, status: Status.NOT_FOUND });
    if (!r.ok) expect(r.message).toMatch(/--vendor-key/);
  });
});

describe('the bootloader (sim start)', () => {
  it('refuses to start with nothing flashed, or when the stored image was altered', async () => {
    const dir = tempDir();
    await expect(startOnAnyPort(dir)).rejects.toMatchObject({ status: Status.NOT_FOUND });
    expect(flashImage({ image: img.fault, stateDir: dir, vendorKey: img.vendorPub }).ok).toBe(true);
    const p = statePaths(dir);
    const b = new Uint8Array(readFileSync(p.firmware));
    b[80] ^= 1;
    writeFileSync(p.firmware, b);
    await expect(startOnAnyPort(dir)).rejects.toMatchObject({ status: Status.MALFORMED });
  });

  it('keeps serial, keys and flash across restarts (never the radio address); one simulator per directory', async () => {
    const dir = tempDir();
    expect(flashImage({ image: img.fault, stateDir: dir, vendorKey: img.vendorPub }).ok).toBe(true);
    const first = await startOnAnyPort(dir);
    const s1 = first.band(1).status();
    await expect(startSimulator({ stateDir: dir, radioPort: 0, uiPort: 0 })).rejects.toMatchObject({
      status: Status.BUSY,
    });
    expect(flashImage({ image: img.fault, stateDir: dir, vendorKey: img.vendorPub })).toMatchObject({
      ok: false,
      status: Status.BUSY,
    });
    await first.stop();
    expect(existsSync(statePaths(dir).control)).toBe(false);

    const second = await startOnAnyPort(dir);
    const s2 = second.band(1).status();
    await second.stop();
    expect(s1.firmwareStatus).toMatchObject({ fixture: true, boots: 1 });
    expect(s2.firmwareStatus).toMatchObject({
      fixture: true,
      boots: 2,
      publicKey: (s1.firmwareStatus as { publicKey: string }).publicKey,
    });
    expect((s1.firmwareStatus as { publicKey: string }).publicKey).toMatch(/^04[0-9a-f]{128}$/);
    expect(s2.serial).toBe(s1.serial);
    // A new resolvable private address every boot (top bits 0b01), never the last one.
    expect(s2.address).not.toBe(s1.address);
    for (const a of [s1.address, s2.address]) expect(a).toMatch(/^[4-7][0-9a-f]:([0-9a-f]{2}:){4}[0-9a-f]{2}$/);
    expect(JSON.parse(readFileSync(bandPaths(dir, 1).identity, 'utf8'))).not.toHaveProperty('address');
    const flash = readFileSync(bandPaths(dir, 1).flash);
    expect(flash.length).toBe(4096 * 16);
    expect([...flash.subarray(0, 3)]).toEqual([0, 0, 0xff]); // two boots counted in flash
    const se = JSON.parse(readFileSync(bandPaths(dir, 1).secureElement, 'utf8'));
    expect(se.slots[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('loads a version-1 band.json: its serial stays, its static address is dropped from the file and never advertised', async () => {
    const dir = tempDir();
    expect(flashImage({ image: img.fault, stateDir: dir, vendorKey: img.vendorPub }).ok).toBe(true);
    const path = bandPaths(dir, 1).identity;
    const old = {
      version: 1,
      serial: 'WP-0A0B-0C0D',
      address: 'c3:11:22:33:44:55',
      createdAt: '2026-01-01T00:00:00.000Z',
      flash: { pageSize: 4096, pageCount: 16 },
    };
    writeFileSync(path, JSON.stringify(old));
    const sim = await startOnAnyPort(dir);
    const s = sim.band(1).status();
    await sim.stop();
    expect(s.serial).toBe(old.serial);
    expect(s.address).not.toBe(old.address);
    expect(s.address).toMatch(/^[4-7]/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 2,
      serial: old.serial,
      createdAt: old.createdAt,
      flash: old.flash,
    });
  });
});
