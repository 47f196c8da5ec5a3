/**
 * What the host providers (node:crypto, @noble) offer beyond the band's CryptoProvider.
 */
import type { Bytes, CryptoProvider, KeyHandle } from './provider.ts';

export interface HostCryptoProvider extends CryptoProvider {
  /** Always present on the host (HPKE DeriveKeyPair, vectors, key import). */
  p256ImportPrivate(scalar: Bytes): KeyHandle | null;
  /**
   * Plain ECDSA P-256/SHA-256 verification (FIPS 186-5 §6.4.2) that accepts high-S as well
   * as low-S; every other rule of `p256Verify` still holds (64 bytes, 1 ≤ r,s < n, valid
   * point). NOT for payment tokens or any protocol signature: those use the strict
   * `p256Verify`. It exists so that the Wycheproof ECDSA suites, whose "valid" vectors
   * include 70 high-S signatures, can be run as published.
   */
  p256VerifyAnyS(publicKey: Bytes, message: Bytes, signature: Bytes): boolean;
}
