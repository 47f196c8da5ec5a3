/**
 * The public test vectors in test/vectors/ (sources, licences and checksums in its README.md
 * and SHA256SUMS). Suites read them through here, so the folder is named once and no suite
 * can reach outside the repository for its data.
 */
import { readFileSync } from 'node:fs';

/** test/vectors/ as a directory URL. */
export const VECTORS_DIR = new URL('../vectors/', import.meta.url);

/** The text of test/vectors/<path>, e.g. readVectorText('cbor/appendix_a.json'). */
export function readVectorText(path: string): string {
  if (path.startsWith('/') || path.split('/').includes('..')) {
    throw new Error(`vector path must stay inside test/vectors: ${path}`);
  }
  return readFileSync(new URL(path, VECTORS_DIR), 'utf8');
}

/** test/vectors/<path> parsed as JSON; the caller names the shape it expects. */
export function readVectorJson<T>(path: string): T {
  return JSON.parse(readVectorText(path)) as T;
}
