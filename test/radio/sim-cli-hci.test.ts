/**
 * The HCI radio as processes, each host stack on its own virtual controller
 * (harness/radio/preload.ts puts the virtual HCI socket in place of the native one in a child):
 * `wristpay sim start --radio hci` (bleno, controller 1); `wristpay bridge status --radio hci`
 * (noble, controller 2), which reads the band and exits by itself; and the bridge's HCI
 * transport in this process (controller 0), which finds the band advertising the wristpay
 * service, reads its INFO and sees the link go when SIGTERM stops the simulator cleanly (exit
 * 0: bleno's socket and poll are stopped).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { BandSession } from '../../bridge/relay/band-session.ts';
import { bandAction } from '../../sim/band/control-client.ts';
import { createHciTransport } from '../../bridge/transport/noble-hci.ts';
import { VirtualAir } from '../../harness/radio/air.ts';
import { type H4Server, serveH4 } from '../../harness/radio/h4-server.ts';
import { installVirtualHciSocket } from '../../harness/radio/install-hci-socket.ts';
import { testImages } from '../../harness/images.ts';
import { flashedDir, removeTempDirs } from '../sim/helpers/sim.ts';

const dir = mkdtempSync(join(tmpdir(), 'wristpay-vhci-'));
const air = new VirtualAir();
const servers: H4Server[] = [];

/** Children still running when a test fails: ended here, so none outlives the run. */
const children = new Set<ChildProcessWithoutNullStreams>();

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) await s.close();
  air.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A child process: node with the virtual HCI socket preloaded (tsx only for that file), devices
 * as `sockets` says. bin/wristpay.js runs the compiled CLI: `npm run build:lib` after editing.
 */
function child(args: string[], sockets: string, env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  const c = spawn(process.execPath, ['--import', 'tsx', '--import', './harness/radio/preload.ts', ...args], {
    env: { ...process.env, WRISTPAY_HCI_SOCKETS: sockets, ...env },
  });
  children.add(c);
  return c;
}

describe('the HCI radio as processes', () => {
  let sim: ChildProcessWithoutNullStreams;
  let exited: Promise<number | null>;
  let state: string;
  const events: { event: string; [k: string]: unknown }[] = [];

  it('wristpay sim start --radio hci starts, bleno on controller 1', async () => {
    servers.push(await serveH4(air.controller({ address: '00:00:5e:00:53:11' }), join(dir, 'hci0.sock')));
    servers.push(await serveH4(air.controller({ address: '00:00:5e:00:53:12', rssi: -44 }), join(dir, 'hci1.sock')));
    servers.push(await serveH4(air.controller({ address: '00:00:5e:00:53:13' }), join(dir, 'hci2.sock')));
    installVirtualHciSocket({ 0: servers[0].endpoint });
    process.env.NOBLE_HCI_DEVICE_ID = '0';
    const img = await testImages();
    state = flashedDir(img.main, img.vendorPub);
    const args = ['bin/wristpay.js', 'sim', 'start', '--radio', 'hci', '--state', state];
    sim = child([...args, '--radio-port', '0', '--ui-port', '0', '--json'], `1=${servers[1].endpoint}`, {
      BLENO_HCI_DEVICE_ID: '1',
    });
    let stderr = '';
    sim.stderr.on('data', (d) => (stderr += String(d)));
    exited = new Promise<number | null>((r) => sim.on('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      sim.on('exit', () => reject(new Error(`the simulator exited: ${stderr}`)));
      createInterface({ input: sim.stdout }).on('line', (line) => {
        events.push(JSON.parse(line));
        if (events.at(-1)?.event === 'started') resolve();
      });
    });
    expect(events.at(-1)).toMatchObject({ event: 'started', radio: 'hci' });
  });

  it('wristpay bridge status --radio hci, a process on controller 2, reads the band and exits', async () => {
    const argv = [
      'bridge',
      'status',
      '--radio',
      'hci',
      '--scan-ms',
      '500',
      '--json',
      '--config',
      join(dir, 'none.json'),
    ];
    const bridge = child(['bin/wristpay.js', ...argv], `0=${servers[2].endpoint}`, {
      NOBLE_HCI_DEVICE_ID: '0',
      WRISTPAY_RADIO: '',
    });
    let stdout = '';
    let stderr = '';
    bridge.stdout.on('data', (d) => (stdout += String(d)));
    bridge.stderr.on('data', (d) => (stderr += String(d)));
    // noble re-arms its adapter poll forever: the process exits only because the transport ends it.
    const code = await new Promise<number | null>((r) => bridge.on('exit', (c) => r(c)));
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      band: { mtu: 185, enrolled: false },
      nearby: [{ rssi: -44 }],
    });
  });

  it('the HCI transport here: the band at its private address; a reboot drops the link and changes it; SIGTERM', async () => {
    const hci = createHciTransport();
    try {
      const found = await hci.scan({ timeoutMs: 400 });
      // From the band's resolvable private address (top bits 01), not the controller's public one.
      expect(found).toEqual([
        expect.objectContaining({ address: expect.stringMatching(/^[4-7][0-9a-f]:/), rssi: -44 }),
      ]);
      const first = await hci.connect(found[0].id);
      expect(await new BandSession(first).readInfo()).toMatchObject({ type: 'info', enrolled: false });
      // A reboot resets the band's radio: the link drops, and the band comes back under a new address.
      const dropped = new Promise<string>((r) => first.onDisconnect(r));
      await bandAction(state, 1, 'reboot');
      expect(await dropped).toMatch(/link lost|disconnect/);
      let again = await hci.scan({ timeoutMs: 400 });
      for (let i = 0; i < 5 && again.length === 0; i++) again = await hci.scan({ timeoutMs: 400 }); // still booting
      expect(again.map((b) => b.address)).not.toContain(found[0].address);
      expect(again).toHaveLength(1);
      const link = await hci.connect(again[0].id);
      expect(await new BandSession(link).readInfo()).toMatchObject({ type: 'info' });
      const down = new Promise<string>((r) => link.onDisconnect(r));
      sim.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(events.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
      expect(await down).toMatch(/link lost|disconnect/);
    } finally {
      await hci.close();
    }
  });
});
