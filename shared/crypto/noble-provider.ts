/**
 * CryptoProvider over @noble/curves v2 (p256), @noble/hashes and @noble/ciphers. HOST ONLY
 * (noble uses BigInt). Pure JS, audited, no native code; the reference the node:crypto
 * provider is held to in the conformance tests.
 *
 * noble v2 defaults already match most of our conventions (prehash: true hashes with
 * SHA-256; lowS: true signs low-S and rejects high-S on verify; format 'compact' is the
 * 64-byte r || s), but every option is passed explicitly so a future default change cannot
 * move us, and the range/point checks are the shared ones from p256-host.ts.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { gcm } from '@noble/ciphers/aes.js';
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import type { AeadAlg, Bytes, KeyHandle } from './provider.ts';
import type { HostCryptoProvider } from './host-provider.ts';
import { hkdfExpandWith, hkdfExtractWith } from './hkdf.ts';
import { isHighS, isValidP256Public, isValidScalar, isWellFormedSignature } from './p256-host.ts';

interface NobleKeyState {
  secretKey: Bytes;
  publicKey: Bytes;
}

/** Handles are empty frozen objects; the scalar lives in this WeakMap only. */
const states = new WeakMap<KeyHandle, NobleKeyState>();

function stateOf(key: KeyHandle): NobleKeyState {
  const s = states.get(key);
  if (s === undefined) throw new TypeError('noble provider: not a key handle of this provider');
  return s;
}

function newHandle(secretKey: Bytes): KeyHandle {
  const handle = Object.freeze({ __keyHandle: true as const });
  states.set(handle, { secretKey, publicKey: p256.getPublicKey(secretKey, false) });
  return handle;
}

function cipher(alg: AeadAlg, key: Bytes, nonce: Bytes, aad: Bytes) {
  if (nonce.length !== 12) return null;
  if (alg === 'chacha20-poly1305' && key.length === 32) return chacha20poly1305(key, nonce, aad);
  if (alg === 'aes-128-gcm' && key.length === 16) return gcm(key, nonce, aad);
  return null;
}

const SIG_OPTS = { prehash: true, format: 'compact' } as const;

function hmacSha256(key: Bytes, data: Bytes): Bytes {
  return hmac(sha256, key, data);
}

export function createNobleProvider(): HostCryptoProvider {
  function verify(publicKey: Bytes, message: Bytes, signature: Bytes, allowHighS: boolean): boolean {
    try {
      if (!isWellFormedSignature(signature)) return false;
      if (!allowHighS && isHighS(signature)) return false;
      if (!isValidP256Public(publicKey)) return false;
      return p256.verify(signature, message, publicKey, { ...SIG_OPTS, lowS: !allowHighS });
    } catch {
      return false;
    }
  }

  return {
    name: '@noble',
    randomBytes(length: number): Bytes {
      return nobleRandomBytes(length);
    },
    sha256(data: Bytes): Bytes {
      return sha256(data);
    },
    hmacSha256,
    hkdfExtract(salt: Bytes, ikm: Bytes): Bytes {
      return hkdfExtractWith(hmacSha256, salt, ikm);
    },
    hkdfExpand(prk: Bytes, info: Bytes, length: number): Bytes {
      return hkdfExpandWith(hmacSha256, prk, info, length);
    },
    aeadSeal(alg: AeadAlg, key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes {
      const c = cipher(alg, key, nonce, aad);
      if (c === null) throw new RangeError(`aeadSeal: bad key or nonce for ${alg}`);
      return c.encrypt(plaintext);
    },
    aeadOpen(alg: AeadAlg, key: Bytes, nonce: Bytes, aad: Bytes, ciphertext: Bytes): Bytes | null {
      try {
        const c = cipher(alg, key, nonce, aad);
        if (c === null || ciphertext.length < 16) return null;
        return c.decrypt(ciphertext);
      } catch {
        return null;
      }
    },
    p256Generate(): KeyHandle {
      return newHandle(p256.utils.randomSecretKey());
    },
    p256ImportPrivate(scalar: Bytes): KeyHandle | null {
      if (!isValidScalar(scalar)) return null;
      const sk = new Uint8Array(32);
      sk.set(scalar);
      return newHandle(sk);
    },
    p256PublicKey(key: KeyHandle): Bytes {
      const pub = stateOf(key).publicKey;
      const out = new Uint8Array(pub.length);
      out.set(pub);
      return out;
    },
    p256IsValidPublic(publicKey: Bytes): boolean {
      return isValidP256Public(publicKey);
    },
    p256Ecdh(key: KeyHandle, peerPublicKey: Bytes): Bytes | null {
      const s = stateOf(key);
      if (!isValidP256Public(peerPublicKey)) return null;
      try {
        // getSharedSecret returns the compressed point 02/03 || X; HPKE's DH() is X alone (RFC 9180 §7.1.1).
        return p256.getSharedSecret(s.secretKey, peerPublicKey, true).slice(1, 33);
      } catch {
        return null;
      }
    },
    p256Sign(key: KeyHandle, message: Bytes): Bytes {
      // Deterministic k (RFC 6979) with lowS: noble returns s <= n/2 directly.
      return p256.sign(message, stateOf(key).secretKey, { ...SIG_OPTS, lowS: true });
    },
    p256Verify(publicKey: Bytes, message: Bytes, signature: Bytes): boolean {
      return verify(publicKey, message, signature, false);
    },
    p256VerifyAnyS(publicKey: Bytes, message: Bytes, signature: Bytes): boolean {
      return verify(publicKey, message, signature, true);
    },
  };
}
