/**
 * Helpers for the crypto and HPKE suites: both host providers and hex. The public vectors
 * they run come through test/support/vectors.ts.
 */
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { createNobleProvider } from '../../shared/crypto/noble-provider.ts';
import { createNodeProvider } from '../../shared/crypto/node-provider.ts';
import { fromHex } from '../../shared/crypto/bytes.ts';

export const providers: ReadonlyArray<readonly [string, HostCryptoProvider]> = [
  ['node', createNodeProvider()],
  ['noble', createNobleProvider()],
];

export const hex = fromHex;
