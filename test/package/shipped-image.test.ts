/**
 * The image the demo flashes is the one `npm run build` wrote: its code part is exactly
 * dist/band.js, so the size the demo reports is the build's minified size.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedImage } from '../../cli/demo/shipped-image.ts';

const DIST = join(import.meta.dirname, '..', '..', 'dist');

describe('the shipped band image', () => {
  it('is dist/band.img with dist/vendor-pub.json, and its code is dist/band.js byte for byte', () => {
    const shipped = shippedImage();
    expect(shipped).toMatchObject({ image: join(DIST, 'band.img'), vendorKey: join(DIST, 'vendor-pub.json') });
    expect(shipped.codeBytes).toBe(statSync(join(DIST, 'band.js')).size);
    const image = readFileSync(shipped.image);
    expect(image.includes(readFileSync(join(DIST, 'band.js')))).toBe(true);
  });
});
