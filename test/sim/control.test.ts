/**
 * The control channel (DIR/control.json + loopback API with a token) and the `wristpay sim`
 * commands that use it, on a two-band simulator running the real firmware.
 */
import { statSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../cli/sim-commands.ts';
import type { ControlFile, Simulator } from '../../sim/band/simulator.ts';
import { statePaths } from '../../sim/band/state-dir.ts';
import { testImages, type TestImages } from '../../harness/images.ts';
import { RawCentral } from './helpers/raw-central.ts';
import { flashedDir, removeTempDirs, startOnAnyPort, tempDir, waitFor } from './helpers/sim.ts';

let img: TestImages;
let sim: Simulator;
let dir: string;
let control: ControlFile;

beforeAll(async () => {
  img = await testImages();
  dir = flashedDir(img.main, img.vendorPub);
  sim = await startOnAnyPort(dir, { bands: 2, firmwareConfig: { removalDebounceMs: 50 } });
  control = JSON.parse(readFileSync(statePaths(dir).control, 'utf8')) as ControlFile;
});
afterAll(async () => {
  await sim?.stop();
  removeTempDirs();
});

async function api(
  path: string,
  init: { method?: string; body?: unknown; token?: string | null } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? control.token}`;
  const res = await fetch(`${control.url}${path}`, {
    method: init.method ?? 'POST',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** GET /api/status with a chosen Host header (fetch will not send one). */
function statusWithHost(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: sim.uiPort,
        path: '/api/status',
        headers: { host, authorization: `Bearer ${control.token}` },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Runs `wristpay sim …` through the commander shell; captures stdout/stderr and the exit code. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command().exitOverride();
  let code = 0;
  register(program, (c) => (code = c));
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s);
    return true;
  });
  try {
    await program.parseAsync(['node', 'wristpay', 'sim', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  return { code, stdout, stderr };
}

describe('control.json', () => {
  it('names the loopback URL, ports, token and bands, readable by the owner only', () => {
    expect(statSync(statePaths(dir).control).mode & 0o777).toBe(0o600);
    expect(control).toMatchObject({
      version: 1,
      pid: process.pid,
      radioPort: sim.radioPort,
      uiPort: sim.uiPort,
      url: `http://127.0.0.1:${sim.uiPort}`,
    });
    expect(control.token).toMatch(/^[0-9a-f]{48}$/);
    expect(control.bands.map((b) => b.band)).toEqual([1, 2]);
  });
});

describe('control API', () => {
  it('drives the wear sensor, charger and button; the firmware follows', async () => {
    let r = await api('/api/bands/1/wear', { body: { on: true } });
    expect(r).toMatchObject({ status: 200, json: { ok: true, band: { band: 1, worn: true, state: 'worn-locked' } } });
    r = await api('/api/bands/1/press');
    expect(r.json.band).toMatchObject({ buttonPresses: 1 });
    r = await api('/api/bands/1/charge', { body: { on: true } });
    expect(r.json.band).toMatchObject({ charging: true, state: 'charging' });
    await api('/api/bands/1/charge', { body: { on: false } });
    await api('/api/bands/1/wear', { body: { on: false } });
    await waitFor('the debounced removal', () => sim.band(1).status().state === 'off-wrist', 2000);
    expect(sim.band(2).status()).toMatchObject({ worn: false, buttonPresses: 0, state: 'off-wrist' }); // band 2 untouched
  });

  it('refuses without the token, from another Host, and for unknown bands, actions or bodies', async () => {
    expect((await api('/api/status', { method: 'GET', token: null })).status).toBe(401);
    expect((await api('/api/bands/1/press', { token: 'f'.repeat(48) })).status).toBe(401);
    expect(await statusWithHost('evil.example')).toBe(403); // DNS rebinding
    expect(await statusWithHost(`localhost:${sim.uiPort}`)).toBe(200);
    expect((await api('/api/bands/9/press')).status).toBe(404);
    expect((await api('/api/bands/1/explode')).status).toBe(404);
    expect((await api('/api/bands/1/press', { method: 'GET' })).status).toBe(405);
    expect((await api('/api/bands/1/wear', { body: { on: 'yes' } })).status).toBe(400);
    expect((await api('/api/bands/1/power-cut', { body: { after: 0 } })).status).toBe(400);
    for (const percent of [-1, 101, 50.5, '50', null])
      expect((await api('/api/bands/1/battery', { body: { percent } })).status).toBe(400);
    expect((await api('/api/status', { method: 'GET' })).json).toMatchObject({
      ok: true,
      bands: [{ band: 1 }, { band: 2 }],
    });
  });

  it('serves the page with the token, and a live event stream', async () => {
    const page = await fetch(`${control.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`content="${control.token}"`);
    const res = await fetch(`${control.url}/events?token=${control.token}`);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: status')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain('"serial"');
  });
});

describe('several bands', () => {
  it('gives each its own state directory, serial and radio address; both advertise', async () => {
    const [a, b] = sim.bands;
    expect(a.serial).not.toBe(b.serial);
    expect(a.address).not.toBe(b.address);
    expect(JSON.parse(readFileSync(join(dir, 'band-2', 'band.json'), 'utf8')).serial).toBe(b.serial);
    const c = await RawCentral.open(sim.radioPort);
    c.send({ action: 'startScanning' });
    const seen = new Set<string>();
    while (seen.size < 2) seen.add(String((await c.type('discover')).peripheralUuid));
    expect([...seen].sort()).toEqual([a.peripheralId, b.peripheralId].sort());
    c.close();
  });
});

describe('wristpay sim (CLI)', () => {
  it('wear, press, charge and status drive the running simulator', async () => {
    let r = await cli('wear', 'on', '--state', dir, '--band', '2');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/band 2 .*worn-locked/);
    expect(r.stdout).toMatch(/on wrist/);
    r = await cli('press', '--state', dir, '--band', '2', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, band: { band: 2, buttonPresses: 1 } });
    r = await cli('status', '--state', dir, '--json');
    expect(JSON.parse(r.stdout).bands).toHaveLength(2);
    r = await cli('status', '--state', dir, '--band', '2');
    expect(r.stdout).toMatch(/^band 2 /);
    expect(r.stdout).toMatch(/display +wristpay \| Not enrolled/);
    const worn = JSON.parse((await cli('status', '--state', dir, '--band', '2', '--json')).stdout).bands[0];
    // off returns once the firmware has confirmed the removal (its debounce), not at the raw
    // sample: what it prints is the band's state, and it already advertises its new address.
    r = await cli('wear', 'off', '--state', dir, '--band', '2', '--json');
    expect(r.code).toBe(0);
    const off = JSON.parse(r.stdout).band;
    expect(off).toMatchObject({ worn: false, state: 'off-wrist' });
    expect(off.address).not.toBe(worn.address);
  });

  it("battery sets what the band's fuel gauge reads (full until set); its status says it", async () => {
    expect(JSON.parse((await cli('status', '--state', dir, '--band', '1', '--json')).stdout).bands[0].battery).toBe(
      100,
    );
    const r = await cli('battery', '37', '--state', dir, '--band', '1', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, band: { band: 1, battery: 37 } });
    expect((await cli('status', '--state', dir, '--band', '1')).stdout).toMatch(/battery 37 %/);
    expect((await cli('battery', '101', '--state', dir, '--band', '1')).code).toBe(2);
    expect((await cli('battery', 'full', '--state', dir, '--band', '1')).code).toBe(2);
  });

  it('exit codes: 2 for usage, 3 when no simulator runs, 1 for a refused image', async () => {
    expect((await cli('wear', 'sideways', '--state', dir)).code).toBe(2);
    expect((await cli('press', '--state', dir, '--band', '7')).code).toBe(2);
    const empty = tempDir();
    const none = await cli('status', '--state', empty);
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/no simulator is running/);
    const bad = join(tempDir('wristpay-img-'), 'bad.img');
    const bytes = new Uint8Array(readFileSync(img.main));
    bytes[bytes.length - 3] ^= 0x40;
    writeFileSync(bad, bytes);
    const refused = await cli('flash', bad, '--state', empty, '--vendor-key', img.vendorPub);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/BAD_SIGNATURE/);
    const flashed = await cli('flash', img.main, '--state', empty, '--vendor-key', img.vendorPub);
    expect(flashed.code).toBe(0);
    expect(flashed.stdout).toMatch(/flashed image 0\.1\.0, signed by [0-9a-f]{16} \(development key\)/);
  });
});
