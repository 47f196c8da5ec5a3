/**
 * `npm run image:sizes` (tools/image/size-map.ts): the image built with source maps is the
 * image the build ships, byte for byte, and every one of its bytes is attributed to exactly
 * one module (or to the unmapped helpers), so the table in docs/FIRMWARE.md adds up.
 */
import { beforeAll, expect, it } from 'vitest';
import { compileImage, MAIN_ENTRY } from '../../tools/image/pipeline.ts';
import { imageSizeMap, type ImageSizeMap } from '../../tools/image/size-map.ts';

let plain = '';
let sized: ImageSizeMap;

beforeAll(async () => {
  plain = (await compileImage({ entry: MAIN_ENTRY })).code;
  sized = await imageSizeMap(MAIN_ENTRY, process.cwd());
}, 60_000);

it('measures the very code the build ships', () => {
  expect(sized.code).toBe(plain);
});

it('attributes every byte once', () => {
  const sum = sized.modules.reduce((n, m) => n + m.bytes, 0);
  expect(sum).toBe(Buffer.byteLength(plain, 'utf8'));
  expect(new Set(sized.modules.map((m) => m.module)).size).toBe(sized.modules.length);
});

it('names the modules by their path in the repository, and leaves little unmapped', () => {
  const names = sized.modules.map((m) => m.module);
  expect(names).toContain('firmware/core/band.ts');
  expect(names).toContain('shared/cbor/encode.ts');
  expect(names.every((n) => /^(firmware|shared)\/[\w/-]+\.ts$/.test(n) || n.startsWith('(unmapped'))).toBe(true);
  const unmapped = sized.modules.find((m) => m.module.startsWith('(unmapped'))?.bytes ?? 0;
  expect(unmapped).toBeLessThan(plain.length / 20);
});
