/**
 * Band images for the simulator tests, built with the real pipeline (tools/image) and
 * a test vendor key, cached on disk by a hash of the sources so that parallel test files
 * build them once: the real firmware (firmware/main.ts), the build probe and the fault
 * fixture. The cache lives in the OS temp directory.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, MAIN_ENTRY } from '../tools/image/pipeline.ts';
import { generateVendorKey, savePublicKey, toHex, type VendorKey } from '../tools/image/vendor-key.ts';

/** A minimal firmware that boots, echoes radio writes and exercises the HAL (test/fixtures/build-probe.ts). */
export const PROBE_ENTRY = 'test/fixtures/build-probe.ts';
export const FAULT_ENTRY = 'test/sim/fixtures/fault-firmware.ts';

export interface TestImages {
  dir: string;
  /** The real firmware image, signed with the test vendor key. */
  main: string;
  probe: string;
  fault: string;
  /** dist/vendor-pub.json's shape, for the test key. */
  vendorPub: string;
  /** Another key's public half: images do not verify against it. */
  otherPub: string;
  /** The real firmware's code alone (no header): "unsigned" bare code. */
  mainCode: string;
}

function hashSources(): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|json)$/.test(name)) h.update(p).update(readFileSync(p));
    }
  };
  for (const d of ['firmware', 'shared', 'tools/image', 'test/sim/fixtures']) walk(d);
  h.update(readFileSync('package.json'));
  return h.digest('hex').slice(0, 16);
}

function paths(dir: string): TestImages {
  return {
    dir,
    main: join(dir, 'main.img'),
    probe: join(dir, 'probe.img'),
    fault: join(dir, 'fault.img'),
    vendorPub: join(dir, 'vendor-pub.json'),
    otherPub: join(dir, 'other-pub.json'),
    mainCode: join(dir, 'main.js'),
  };
}

async function build(dir: string): Promise<void> {
  const key: VendorKey = generateVendorKey(true);
  const version = { major: 0, minor: 1, patch: 0 };
  const out = paths(dir);
  for (const [entry, file] of [
    [MAIN_ENTRY, out.main],
    [PROBE_ENTRY, out.probe],
    [FAULT_ENTRY, out.fault],
  ] as const) {
    const built = await buildImage({ entry, version, key });
    writeFileSync(file, built.image);
    if (entry === MAIN_ENTRY) writeFileSync(out.mainCode, built.code);
  }
  savePublicKey(out.vendorPub, key);
  savePublicKey(out.otherPub, generateVendorKey(true));
  writeFileSync(join(dir, 'key-id'), toHex(key.keyId));
  writeFileSync(join(dir, 'done'), 'ok');
}

/** Builds (or reuses) the images; safe to call from parallel test files. */
export async function testImages(): Promise<TestImages> {
  const root = join(tmpdir(), 'wristpay-sim-test-images');
  const hash = hashSources();
  const dir = join(root, hash);
  const done = join(dir, 'done');
  const lock = join(root, `${hash}.lock`);
  mkdirSync(root, { recursive: true });
  while (!existsSync(done)) {
    try {
      mkdirSync(lock);
    } catch {
      // someone else builds; a lock older than two minutes is a crashed builder
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      if (!existsSync(done)) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        await build(dir);
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return paths(dir);
}
