/**
 * CryptoProvider over node:crypto (OpenSSL). HOST ONLY.
 *
 * Speed notes (measured on Node 20, see scripts/bench-crypto.ts):
 * - Public keys become KeyObjects once and are kept in a 256-entry LRU keyed by the hex of
 *   the 65-byte point; creating a KeyObject per verify halves verify throughput. An entry
 *   in the LRU has passed our own on-curve check, so a hit skips that too.
 * - Key pairs are made with createECDH (faster than generateKeyPairSync and gives the raw
 *   point directly); the signing KeyObject is created from the scalar on first sign.
 * - Do not call KeyObject.export({format: 'jwk'}) in a loop: on Node 20.20 it hangs after a
 *   few thousand calls. We only ever import JWKs, never export them.
 *
 * Rules that OpenSSL does not enforce are checked here before it sees the input:
 * high-S signatures, r/s range, and point validation (shared/crypto/p256-host.ts).
 */
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  randomFillSync,
  sign as nodeSign,
  verify as nodeVerify,
  type ECDH,
  type KeyObject,
} from 'node:crypto';
import type { AeadAlg, Bytes, KeyHandle } from './provider.ts';
import type { HostCryptoProvider } from './host-provider.ts';
import { hkdfExpandWith, hkdfExtractWith } from './hkdf.ts';
import { isHighS, isValidP256Public, isValidScalar, isWellFormedSignature, toLowS } from './p256-host.ts';

const CURVE = 'prime256v1';
const TAG = 16;
const LRU_SIZE = 256;

interface NodeKeyState {
  ecdh: ECDH;
  publicKey: Bytes;
  signingKey: KeyObject | null;
}

/** Handles are empty frozen objects; the key material lives in this WeakMap only. */
const states = new WeakMap<KeyHandle, NodeKeyState>();

function stateOf(key: KeyHandle): NodeKeyState {
  const s = states.get(key);
  if (s === undefined) throw new TypeError('node provider: not a key handle of this provider');
  return s;
}

function newHandle(state: NodeKeyState): KeyHandle {
  const handle = Object.freeze({ __keyHandle: true as const });
  states.set(handle, state);
  return handle;
}

/** A plain Uint8Array copy of a Buffer (Buffers are pooled and compare differently in tests). */
function u8(b: Buffer): Bytes {
  return new Uint8Array(b);
}

function asBuffer(a: Bytes): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.length);
}

function pad32(a: Bytes): Bytes {
  if (a.length === 32) return a;
  const out = new Uint8Array(32);
  out.set(a, 32 - a.length);
  return out;
}

function b64url(a: Bytes): string {
  return asBuffer(a).toString('base64url');
}

/** LRU of validated public keys: hex → KeyObject (created on first verify). */
class PublicKeyCache {
  private readonly map = new Map<string, KeyObject | null>();

  /** The cache key if `pub` is a valid point (checked once per key), else null. */
  validate(pub: Bytes): string | null {
    if (!(pub instanceof Uint8Array) || pub.length !== 65) return null;
    const hex = asBuffer(pub).toString('hex');
    const hit = this.map.get(hex);
    if (hit !== undefined) {
      this.map.delete(hex);
      this.map.set(hex, hit);
      return hex;
    }
    if (!isValidP256Public(pub)) return null;
    this.put(hex, null);
    return hex;
  }

  keyObject(hex: string, pub: Bytes): KeyObject {
    const cached = this.map.get(hex);
    if (cached) return cached;
    const ko = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64url(pub.subarray(1, 33)), y: b64url(pub.subarray(33, 65)) },
      format: 'jwk',
    });
    this.put(hex, ko);
    return ko;
  }

  private put(hex: string, value: KeyObject | null): void {
    this.map.delete(hex);
    this.map.set(hex, value);
    if (this.map.size > LRU_SIZE) this.map.delete(this.map.keys().next().value as string);
  }
}

function cipherName(alg: AeadAlg, key: Bytes): string | null {
  if (alg === 'chacha20-poly1305' && key.length === 32) return 'chacha20-poly1305';
  if (alg === 'aes-128-gcm' && key.length === 16) return 'aes-128-gcm';
  return null;
}

export function createNodeProvider(): HostCryptoProvider {
  const cache = new PublicKeyCache();

  function importScalar(scalar: Bytes): KeyHandle | null {
    if (!isValidScalar(scalar)) return null;
    const ecdh = createECDH(CURVE);
    ecdh.setPrivateKey(asBuffer(scalar));
    return newHandle({ ecdh, publicKey: u8(ecdh.getPublicKey()), signingKey: null });
  }

  function signingKeyOf(s: NodeKeyState): KeyObject {
    if (s.signingKey === null) {
      s.signingKey = createPrivateKey({
        key: {
          kty: 'EC',
          crv: 'P-256',
          // getPrivateKey drops leading zero bytes; a JWK "d" is exactly 32 bytes (RFC 7518 §6.2.2.1).
          d: b64url(pad32(s.ecdh.getPrivateKey())),
          x: b64url(s.publicKey.subarray(1, 33)),
          y: b64url(s.publicKey.subarray(33, 65)),
        },
        format: 'jwk',
      });
    }
    return s.signingKey;
  }

  function verify(publicKey: Bytes, message: Bytes, signature: Bytes, allowHighS: boolean): boolean {
    try {
      if (!isWellFormedSignature(signature)) return false;
      if (!allowHighS && isHighS(signature)) return false;
      const hex = cache.validate(publicKey);
      if (hex === null) return false;
      const key = cache.keyObject(hex, publicKey);
      return nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      return false;
    }
  }

  function hmacSha256(key: Bytes, data: Bytes): Bytes {
    return u8(createHmac('sha256', key).update(data).digest());
  }

  return {
    name: 'node:crypto',
    randomBytes(length: number): Bytes {
      return randomFillSync(new Uint8Array(length));
    },
    sha256(data: Bytes): Bytes {
      return u8(createHash('sha256').update(data).digest());
    },
    hmacSha256,
    hkdfExtract(salt: Bytes, ikm: Bytes): Bytes {
      return hkdfExtractWith(hmacSha256, salt, ikm);
    },
    hkdfExpand(prk: Bytes, info: Bytes, length: number): Bytes {
      return hkdfExpandWith(hmacSha256, prk, info, length);
    },
    aeadSeal(alg: AeadAlg, key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes {
      const name = cipherName(alg, key);
      if (name === null || nonce.length !== 12) throw new RangeError(`aeadSeal: bad key or nonce for ${alg}`);
      const c = createCipheriv(name as 'chacha20-poly1305', key, nonce, { authTagLength: TAG });
      c.setAAD(aad, { plaintextLength: plaintext.length });
      const head = c.update(plaintext);
      const tail = c.final();
      const tag = c.getAuthTag();
      const out = new Uint8Array(head.length + tail.length + TAG);
      out.set(head, 0);
      out.set(tail, head.length);
      out.set(tag, head.length + tail.length);
      return out;
    },
    aeadOpen(alg: AeadAlg, key: Bytes, nonce: Bytes, aad: Bytes, ciphertext: Bytes): Bytes | null {
      const name = cipherName(alg, key);
      if (name === null || nonce.length !== 12 || ciphertext.length < TAG) return null;
      try {
        const ctLen = ciphertext.length - TAG;
        const d = createDecipheriv(name as 'chacha20-poly1305', key, nonce, { authTagLength: TAG });
        d.setAAD(aad, { plaintextLength: ctLen });
        d.setAuthTag(ciphertext.subarray(ctLen));
        const head = d.update(ciphertext.subarray(0, ctLen));
        const tail = d.final();
        const out = new Uint8Array(head.length + tail.length);
        out.set(head, 0);
        out.set(tail, head.length);
        return out;
      } catch {
        return null;
      }
    },
    p256Generate(): KeyHandle {
      const ecdh = createECDH(CURVE);
      const pub = u8(ecdh.generateKeys());
      return newHandle({ ecdh, publicKey: pub, signingKey: null });
    },
    p256ImportPrivate: importScalar,
    p256PublicKey(key: KeyHandle): Bytes {
      const pub = stateOf(key).publicKey;
      const out = new Uint8Array(pub.length);
      out.set(pub);
      return out;
    },
    p256IsValidPublic(publicKey: Bytes): boolean {
      return cache.validate(publicKey) !== null;
    },
    p256Ecdh(key: KeyHandle, peerPublicKey: Bytes): Bytes | null {
      const s = stateOf(key);
      if (cache.validate(peerPublicKey) === null) return null;
      try {
        return u8(s.ecdh.computeSecret(peerPublicKey));
      } catch {
        return null;
      }
    },
    p256Sign(key: KeyHandle, message: Bytes): Bytes {
      const sig = nodeSign('sha256', message, { key: signingKeyOf(stateOf(key)), dsaEncoding: 'ieee-p1363' });
      return toLowS(u8(sig));
    },
    p256Verify(publicKey: Bytes, message: Bytes, signature: Bytes): boolean {
      return verify(publicKey, message, signature, false);
    },
    p256VerifyAnyS(publicKey: Bytes, message: Bytes, signature: Bytes): boolean {
      return verify(publicKey, message, signature, true);
    },
  };
}
