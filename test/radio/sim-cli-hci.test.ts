/**
 * `wristpay sim start --radio hci` as a process: bleno in the child drives virtual controller 1
 * (harness/radio/preload.ts puts the virtual HCI socket in place of the native one), and the
 * bridge's HCI transport here, on controller 0, finds the band advertising the wristpay
 * service, connects and reads its INFO. SIGTERM stops it cleanly (exit 0: bleno's socket and
 * poll are stopped), and the bridge's side sees the link go.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { BandSession } from '../../bridge/relay/band-session.ts';
import { createHciTransport } from '../../bridge/transport/noble-hci.ts';
import { VirtualAir } from '../../harness/radio/air.ts';
import { type H4Server, serveH4 } from '../../harness/radio/h4-server.ts';
import { installVirtualHciSocket } from '../../harness/radio/install-hci-socket.ts';
import { testImages } from '../../harness/images.ts';
import { flashedDir, removeTempDirs } from '../sim/helpers/sim.ts';

const dir = mkdtempSync(join(tmpdir(), 'wristpay-vhci-'));
const air = new VirtualAir();
const servers: H4Server[] = [];

afterAll(async () => {
  for (const s of servers) await s.close();
  air.close();
  removeTempDirs();
  rmSync(dir, { recursive: true, force: true });
});

describe('wristpay sim start --radio hci (process)', () => {
  it('advertises and serves the band over HCI, and stops on SIGTERM', async () => {
    servers.push(await serveH4(air.controller({ address: '00:00:5e:00:53:11' }), join(dir, 'hci0.sock')));
    servers.push(await serveH4(air.controller({ address: '00:00:5e:00:53:12', rssi: -44 }), join(dir, 'hci1.sock')));
    installVirtualHciSocket({ 0: servers[0].endpoint });
    process.env.NOBLE_HCI_DEVICE_ID = '0';
    const img = await testImages();
    const state = flashedDir(img.main, img.vendorPub);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './harness/radio/preload.ts',
        'test/sim/helpers/sim-cli.ts',
        'sim',
        'start',
        '--radio',
        'hci',
        '--state',
        state,
        '--radio-port',
        '0',
        '--ui-port',
        '0',
        '--json',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, WRISTPAY_HCI_SOCKETS: `1=${servers[1].endpoint}`, BLENO_HCI_DEVICE_ID: '1' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const events: { event: string; [k: string]: unknown }[] = [];
    await new Promise<void>((resolve, reject) => {
      child.on('exit', () => reject(new Error(`the simulator exited: ${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        events.push(JSON.parse(line));
        if (events.at(-1)?.event === 'started') resolve();
      });
    });
    expect(events.at(-1)).toMatchObject({ event: 'started', radio: 'hci' });

    const hci = createHciTransport();
    try {
      const found = await hci.scan({ timeoutMs: 400 });
      // From the band's resolvable private address (top bits 01), not the controller's public one.
      expect(found).toEqual([
        expect.objectContaining({ address: expect.stringMatching(/^[4-7][0-9a-f]:/), rssi: -44 }),
      ]);
      const link = await hci.connect(found[0].id);
      const session = new BandSession(link);
      expect(await session.readInfo()).toMatchObject({ type: 'info', enrolled: false });
      const down = new Promise<string>((r) => link.onDisconnect(r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(events.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
      expect(await down).toMatch(/link lost|disconnect/);
    } finally {
      await hci.close();
    }
  });
});
