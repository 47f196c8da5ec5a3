/**
 * The checkout's random bytes, drawn from the provider 4 KiB at a time.
 *
 * Why: every payment answer takes random bytes twice (the payment id, the RESULT's response
 * nonce), a few dozen bytes each. Asking node:crypto each time costs a native job object
 * and an external buffer per call, and their garbage showed up in the payment profile
 * (docs/HARDENING.md). The bytes are the provider's own CSPRNG output either way; each
 * caller gets a fresh copy, and no byte is handed out twice.
 */
import type { Bytes } from '../../shared/crypto/provider.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';

const POOL_BYTES = 4096;

/** `provider` with `randomBytes` served from a pool; every other method is the provider's. */
export function withRandomPool(provider: HostCryptoProvider): HostCryptoProvider {
  let pool: Bytes = new Uint8Array(0);
  let used = 0;
  const pooled = Object.create(provider) as HostCryptoProvider;
  pooled.randomBytes = (length: number): Bytes => {
    if (length > POOL_BYTES / 4) return provider.randomBytes(length);
    if (used + length > pool.length) {
      pool = provider.randomBytes(POOL_BYTES);
      used = 0;
    }
    const out = pool.slice(used, used + length);
    // Spent bytes are wiped, so the pool never holds bytes that were already handed out.
    pool.fill(0, used, used + length);
    used += length;
    return out;
  };
  return pooled;
}
