/**
 * The package installs and runs without the repository: packed (the `prepare` script
 * compiles dist/lib and builds the image), installed with --omit=dev into an empty folder,
 * then every command a user starts with runs from there as compiled JavaScript, with the
 * shipped image and only the runtime dependencies.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAndInstall, removePacked, runBin, startBin, type Packed } from './helpers/packed-install.ts';

let p: Packed;

beforeAll(async () => {
  p = await packAndInstall();
  console.log(`npm install --omit=dev of the tarball took ${(p.installMs / 1000).toFixed(0)} s`);
}, 20 * 60_000); // Compiling better-sqlite3 from source took about 5 minutes on a busy 2-core machine.

afterAll(() => removePacked(p));

describe('the packed wristpay', () => {
  it('holds the bin, the compiled code and the image, and no sources, tests or keys', () => {
    expect(p.files).toEqual(
      expect.arrayContaining([
        'bin/wristpay.js',
        'dist/lib/cli/main.js',
        'dist/band.img',
        'dist/vendor-pub.json',
        'README.md',
        'package.json',
      ]),
    );
    const stray = p.files.filter(
      (f) => f.endsWith('.ts') || /^(test|harness|scripts|\.keys)\//.test(f) || !/^(bin|dist)\/|^[^/]+$/.test(f),
    );
    expect(stray).toEqual([]);
  });

  it('installs without the build tools and test drivers', () => {
    for (const dev of ['tsx', 'typescript', '@babel/core', 'esbuild', 'playwright-core', 'vitest']) {
      expect(existsSync(join(p.app, 'node_modules', dev)), dev).toBe(false);
    }
  });

  it('wristpay --help', async () => {
    const r = await runBin(p, ['--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: wristpay/);
  });

  it('wristpay checkout start answers /healthz and stops on SIGTERM', async () => {
    const s = await startBin(
      p,
      ['checkout', 'start', '--port', '0', '--db', join(p.root, 'checkout.db'), '--json'],
      'listening',
    );
    const health = await fetch(`${s.ready.url as string}/healthz`);
    expect(health.status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('wristpay sim flash takes the shipped image, and sim start boots it', async () => {
    const shipped = join(p.app, 'node_modules', 'wristpay', 'dist');
    const state = join(p.root, 'band');
    const flashed = await runBin(p, [
      'sim',
      'flash',
      join(shipped, 'band.img'),
      '--vendor-key',
      join(shipped, 'vendor-pub.json'),
      '--state',
      state,
      '--json',
    ]);
    expect(flashed.code, flashed.stderr).toBe(0);
    expect(JSON.parse(flashed.stdout)).toMatchObject({ ok: true, firmware: { format: 'image', signed: true } });
    const s = await startBin(
      p,
      ['sim', 'start', '--state', state, '--radio-port', '0', '--ui-port', '0', '--json'],
      'started',
    );
    expect(s.ready).toMatchObject({ stateDir: state, bands: [{ band: 1 }] });
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  });

  it('wristpay demo --json tells the story with an approved payment', async () => {
    const r = await runBin(p, ['demo', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step?: string; outcome?: string });
    expect(events).toContainEqual(expect.objectContaining({ step: 'pay', outcome: 'approved' }));
  }, 120_000);
});
