/** Small helpers for simulator tests: temp state dirs, flashing, waiting. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flashImage } from '../../../sim/band/firmware-store.ts';
import { startSimulator, type Simulator, type StartSimulatorOptions } from '../../../sim/band/simulator.ts';

const dirs: string[] = [];

export function tempDir(prefix = 'wristpay-sim-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A fresh state dir with `image` flashed (verified with `vendorKey`). */
export function flashedDir(image: string, vendorKey: string, allowUnsigned = false): string {
  const dir = tempDir();
  const r = flashImage({ image, stateDir: dir, vendorKey, allowUnsigned });
  if (!r.ok) throw new Error(`flash failed: ${r.message}`);
  return dir;
}

/** startSimulator on ephemeral ports. */
export function startOnAnyPort(stateDir: string, opts: StartSimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ radioPort: 0, uiPort: 0, ...opts, stateDir });
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false,
  timeoutMs = 5000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
