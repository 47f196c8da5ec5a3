/**
 * The README's walk-through, followed from the repository root, writes `./band` (the
 * simulator's state) and `shop.db` (the checkout, with its -wal and -shm) into the working
 * tree (issue 14, item 15). Git must not offer to commit them: asked of git itself.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const MADE = [
  'band/firmware.bin',
  'band/band-1/identity.json',
  'shop.db',
  'shop.db-wal',
  'shop.db-shm',
  'dist/band.img',
];

describe("the walk-through's files are ignored", () => {
  it('git check-ignore covers each of them', () => {
    // Prints every path that is ignored; a path missing from the output is not.
    const out = execFileSync('git', ['check-ignore', '--no-index', ...MADE], { cwd: ROOT, encoding: 'utf8' });
    expect(out.trim().split('\n').sort()).toEqual([...MADE].sort());
  });
});
