/**
 * The crypto provider: the small set of primitives the protocol code (HPKE envelope,
 * COSE token, challenge signatures) is written over. The band implements it over its
 * HAL (secure element + CryptoCell), the host over node:crypto or @noble/*.
 *
 * Synchronous on purpose: embedded engines have no Promises, and node:crypto offers
 * every primitive here synchronously.
 *
 * Conventions (all sides must agree; tests hold each provider to them):
 * - P-256 public keys are uncompressed SEC1 points, 65 bytes, 0x04 || X || Y.
 *   Every public key that crosses a trust boundary is checked on the curve
 *   (`p256IsValidPublic`) before use; `ecdh` and `verify` re-check and refuse.
 * - Signatures are IEEE P1363 r || s, 64 bytes (RFC 9053 §2.1 ES256). `sign` returns
 *   low-S signatures; `verify` rejects high-S, r or s equal to 0 or >= n, and any
 *   length other than 64.
 * - `aeadOpen` returns null on any authentication failure (never throws for bad input).
 * - Private keys are opaque handles: on the band they name secure-element slots and the
 *   scalar never enters the JS heap.
 */
export type Bytes = Uint8Array;

/** An opaque reference to a private key held by the provider. */
export interface KeyHandle {
  readonly __keyHandle: true;
}

export type AeadAlg = 'chacha20-poly1305' | 'aes-128-gcm';

export interface CryptoProvider {
  readonly name: string;
  randomBytes(length: number): Bytes;
  sha256(data: Bytes): Bytes;
  hmacSha256(key: Bytes, data: Bytes): Bytes;
  /** HKDF-Extract (RFC 5869 §2.2). */
  hkdfExtract(salt: Bytes, ikm: Bytes): Bytes;
  /** HKDF-Expand (RFC 5869 §2.3); throws for length > 255 * 32. */
  hkdfExpand(prk: Bytes, info: Bytes, length: number): Bytes;
  /** Returns ciphertext || 16-byte tag. */
  aeadSeal(alg: AeadAlg, key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes;
  /** Returns the plaintext, or null when the tag does not verify or the input is malformed. */
  aeadOpen(alg: AeadAlg, key: Bytes, nonce: Bytes, aad: Bytes, ciphertext: Bytes): Bytes | null;
  /** A fresh random P-256 key pair. */
  p256Generate(): KeyHandle;
  /** Import a private scalar (32 bytes big-endian); host-only (HPKE DeriveKeyPair, vectors). Returns null if out of range. */
  p256ImportPrivate?(scalar: Bytes): KeyHandle | null;
  p256PublicKey(key: KeyHandle): Bytes;
  /** True when `publicKey` is a 65-byte uncompressed point on P-256 (not infinity). */
  p256IsValidPublic(publicKey: Bytes): boolean;
  /** The 32-byte X coordinate of key * peer; null if the peer key is not a valid point. */
  p256Ecdh(key: KeyHandle, peerPublicKey: Bytes): Bytes | null;
  /** ECDSA P-256 over SHA-256(message); 64-byte low-S r || s. */
  p256Sign(key: KeyHandle, message: Bytes): Bytes;
  /** Verify a 64-byte r || s signature over SHA-256(message). Never throws. */
  p256Verify(publicKey: Bytes, message: Bytes, signature: Bytes): boolean;
}
