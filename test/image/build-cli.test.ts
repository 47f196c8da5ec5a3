/**
 * `npm run build` as a command: writes dist/band.js, band.img and vendor-pub.json that
 * verify together, prints the sizes, and exits non-zero (writing nothing) over budget or
 * when the named vendor key is missing. Also the development key's first-use creation.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyImageBytes } from '../../shared/image/verify.ts';
import { Status } from '../../shared/status/codes.ts';
import { PROBE_ENTRY } from '../../harness/images.ts';
import {
  generateVendorKey,
  loadPublicKey,
  resolveVendorKey,
  saveVendorKey,
  toHex,
} from '../../tools/image/vendor-key.ts';

let dir: string;
let keyPath: string;

function build(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-image.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wristpay-build-'));
  keyPath = join(dir, 'vendor.json');
  saveVendorKey(keyPath, generateVendorKey(false));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/build-image.ts', () => {
  it('builds the probe into verifiable outputs and prints the sizes', () => {
    const out = join(dir, 'dist');
    const r = build(['--entry', PROBE_ENTRY, '--out', out], { WRISTPAY_VENDOR_KEY: keyPath });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/band\.js\s+\d+ bytes minified, \d+ bytes gzip \(budget 47386/);
    const img = new Uint8Array(readFileSync(join(out, 'band.img')));
    const pub = loadPublicKey(join(out, 'vendor-pub.json'));
    const parsed = verifyImageBytes(img, pub);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value.code).toBe(readFileSync(join(out, 'band.js'), 'utf8'));
      expect(parsed.value.header.flags).toBe(0); // a named (release) key: no DEV_KEY flag
    }
    expect(readFileSync(join(out, 'vendor-pub.json'), 'utf8')).not.toContain('privateKey');
  });

  it('fails over the budget and writes nothing', () => {
    const entry = join(dir, 'big.ts');
    writeFileSync(
      entry,
      `declare const hal: { log: { log(m: string): void } };\nhal.log.log(${JSON.stringify('x'.repeat(50_000))});\n`,
    );
    const out = join(dir, 'dist-big');
    const r = build(['--entry', entry, '--out', out], { WRISTPAY_VENDOR_KEY: keyPath });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/over the 47386-byte budget/);
    expect(existsSync(out)).toBe(false);
  });

  it('fails on a profile violation with a readable list', () => {
    const entry = join(dir, 'bad.ts');
    writeFileSync(
      entry,
      `declare const hal: { log: { log(m: string): void } };\nhal.log.log(String(Math.imul(3, 4)) + String(new Map().size));\n`,
    );
    const r = build(['--entry', entry, '--out', join(dir, 'dist-bad')], { WRISTPAY_VENDOR_KEY: keyPath });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/outside the ES5 engine profile/);
    expect(r.stderr).toMatch(/Math\.imul/);
    expect(r.stderr).toMatch(/global `Map`/);
  });

  it('refuses a WRISTPAY_VENDOR_KEY that does not exist instead of generating one', () => {
    const r = build(['--entry', PROBE_ENTRY, '--out', join(dir, 'dist-nokey')], {
      WRISTPAY_VENDOR_KEY: join(dir, 'missing.json'),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no such key file/);
  });
});

describe('development vendor key', () => {
  it('is generated on first use (owner-only file), then reused', () => {
    const devPath = join(dir, 'keys', 'vendor-dev.json');
    const first = resolveVendorKey(undefined, devPath);
    expect(first.created).toBe(true);
    expect(first.key.dev).toBe(true);
    expect(statSync(devPath).mode & 0o077).toBe(0);
    const second = resolveVendorKey(undefined, devPath);
    expect(second.created).toBe(false);
    expect(toHex(second.key.publicKey)).toBe(toHex(first.key.publicKey));
  });

  it('signs images the other key cannot verify', () => {
    const a = generateVendorKey();
    const b = generateVendorKey();
    expect(toHex(a.keyId)).not.toBe(toHex(b.keyId));
    const img = new Uint8Array(readFileSync(join(dir, 'dist', 'band.img')));
    const r = verifyImageBytes(img, a.publicKey);
    expect(r.ok ? Status.OK : r.status).toBe(Status.BAD_SIGNATURE);
  });
});
