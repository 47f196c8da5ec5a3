/**
 * Bounded by default so CI stays fast; `npm run bench -- --long` runs the same tests bigger
 * (WRISTPAY_HARDENING=long) and collects their figures for BENCHMARKS.md
 * (WRISTPAY_HARDENING_REPORT_DIR: one JSON file per test file, so parallel workers never
 * write the same file).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LONG = process.env.WRISTPAY_HARDENING === 'long';

export function scaled(normal: number, long: number): number {
  return LONG ? long : normal;
}

/** The base seed; override with WRISTPAY_FUZZ_SEED to explore, keep the default in CI. */
export const SEED = Number(process.env.WRISTPAY_FUZZ_SEED ?? 0x5eed2026);

export function reportFigures(name: string, figures: Record<string, unknown>): void {
  const dir = process.env.WRISTPAY_HARDENING_REPORT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ name, long: LONG, ...figures }, null, 2));
}
