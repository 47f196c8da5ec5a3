/**
 * The host's default CryptoProvider. HOST ONLY.
 *
 * node:crypto is the default: scripts/bench-crypto.ts measures it several times faster
 * than @noble for the checkout workload (HPKE seal/open, ES256 sign/verify). @noble stays
 * as the cross-check in the conformance tests and as a fallback where OpenSSL is missing.
 */
import type { HostCryptoProvider } from './host-provider.ts';
import { createNodeProvider } from './node-provider.ts';

let instance: HostCryptoProvider | null = null;

/** One shared provider per process (its public-key cache is shared too). */
export function defaultProvider(): HostCryptoProvider {
  if (instance === null) instance = createNodeProvider();
  return instance;
}
