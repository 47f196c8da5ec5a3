/**
 * `wristpay sim start` as a real process: it prints where it listens (--json), serves
 * another terminal's commands, and stops cleanly on SIGTERM (exit 0, flash flushed,
 * control.json and the lock removed).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { bandAction } from '../../sim/band/control-client.ts';
import { statePaths } from '../../sim/band/state-dir.ts';
import { testImages } from '../../harness/images.ts';
import { flashedDir, removeTempDirs } from './helpers/sim.ts';

afterAll(removeTempDirs);

describe('wristpay sim start (process)', () => {
  it('starts, is driven from outside, and stops on SIGTERM', async () => {
    const img = await testImages();
    const dir = flashedDir(img.probe, img.vendorPub);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/sim/helpers/sim-cli.ts',
        'sim',
        'start',
        '--state',
        dir,
        '--radio-port',
        '0',
        '--ui-port',
        '0',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const events: { event: string; [k: string]: unknown }[] = [];
    const started = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        events.push(JSON.parse(line));
        if (events[events.length - 1].event === 'started') resolve();
      });
    });
    await started;
    expect(events.at(-1)).toMatchObject({ event: 'started', stateDir: dir, bands: [{ band: 1 }] });
    expect(await bandAction(dir, 1, 'wear', { on: true })).toMatchObject({ worn: true });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(events.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
    expect(existsSync(statePaths(dir).control)).toBe(false);
    expect(existsSync(statePaths(dir).lock)).toBe(false);
  });
});
