/**
 * Helpers for the crypto and HPKE suites: both host providers, hex, and reading the public
 * vectors from /work/shared/vectors (see its README for each file's source and traps).
 */
import { readFileSync } from 'node:fs';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { createNobleProvider } from '../../shared/crypto/noble-provider.ts';
import { createNodeProvider } from '../../shared/crypto/node-provider.ts';
import { fromHex } from '../../shared/crypto/bytes.ts';

export const providers: ReadonlyArray<readonly [string, HostCryptoProvider]> = [
  ['node', createNodeProvider()],
  ['noble', createNobleProvider()],
];

export const hex = fromHex;

/**
 * Reads `<vectors>/<path>` as JSON. `base` is the caller's import.meta.url; from
 * test/<dir>/x.test.ts the folder is ../../../shared/vectors (the repo root is /work/main,
 * the vectors sit in /work/shared).
 */
export function readVectors<T = any>(base: string, path: string): T {
  return JSON.parse(readFileSync(new URL('../../../shared/vectors/' + path, base), 'utf8')) as T;
}
