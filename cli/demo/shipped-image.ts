/**
 * The band image the package ships: dist/band.img and dist/vendor-pub.json, made by
 * `npm run build` (scripts/build-image.ts). The demo flashes these rather than building
 * the image itself, so an installed CLI needs neither Babel nor the vendor's private key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeHeader } from '../../shared/image/header.ts';

export interface ShippedImage {
  image: string;
  vendorKey: string;
  /** The code part of the image in bytes: the minified size `npm run build` prints. */
  codeBytes: number;
}

/**
 * The package root: the nearest folder above this module with a package.json. This file
 * runs from cli/demo/ in a clone (tsx, vitest) and from dist/lib/cli/demo/ once compiled,
 * so a fixed number of `../` would be right in only one of them.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export function shippedImage(): ShippedImage {
  const dist = join(packageRoot(), 'dist');
  const image = join(dist, 'band.img');
  const vendorKey = join(dist, 'vendor-pub.json');
  const missing = [image, vendorKey].filter((file) => !existsSync(file));
  if (missing.length > 0)
    throw new Error(
      `the demo flashes the prebuilt band image, and ${missing.join(' and ')} is missing: run \`npm run build\` first`,
    );
  const decoded = decodeHeader(readFileSync(image));
  if ('problem' in decoded)
    throw new Error(`${image} is not a band image (${decoded.problem}): run \`npm run build\` again`);
  return { image, vendorKey, codeBytes: decoded.header.codeLength };
}
