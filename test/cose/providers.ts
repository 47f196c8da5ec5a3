/**
 * The host crypto providers under test (node:crypto and @noble). Both are held to the
 * same conventions (shared/crypto/provider.ts), so the COSE suites run once per provider
 * (and, for tokens, once per signer × verifier pair).
 */
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import { createNobleProvider } from '../../shared/crypto/noble-provider.ts';
import { createNodeProvider } from '../../shared/crypto/node-provider.ts';

export interface NamedProvider {
  name: string;
  provider: HostCryptoProvider;
}

export function hostProviders(): NamedProvider[] {
  return [
    { name: 'node', provider: createNodeProvider() },
    { name: 'noble', provider: createNobleProvider() },
  ];
}
