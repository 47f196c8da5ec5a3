/**
 * The band image the package ships: dist/band.img and dist/vendor-pub.json, made by
 * `npm run build` (scripts/build-image.ts). The demo flashes these rather than building
 * the image itself, so an installed CLI needs neither Babel nor the vendor's private key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeHeader } from '../../shared/image/header.ts';
import { packageRoot } from '../package-root.ts';

export interface ShippedImage {
  image: string;
  vendorKey: string;
  /** The code part of the image in bytes: the minified size `npm run build` prints. */
  codeBytes: number;
}

/** Where the package keeps its image and vendor key, whether or not they are there. */
export function shippedImagePaths(): { image: string; vendorKey: string } {
  const dist = join(packageRoot(), 'dist');
  return { image: join(dist, 'band.img'), vendorKey: join(dist, 'vendor-pub.json') };
}

export function shippedImage(): ShippedImage {
  const { image, vendorKey } = shippedImagePaths();
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
