/**
 * HKDF-SHA256 (RFC 5869) over any HMAC-SHA256 function, so every provider (node:crypto,
 * @noble, the band's HAL) gets the same rules: an empty salt means HashLen zero bytes
 * (§2.2), L = 0 gives an empty string, and L > 255 * HashLen throws (§2.3). ES5-safe.
 */
import type { Bytes } from './provider.ts';

export const HASH_LEN = 32;
export const HKDF_MAX_LENGTH = 255 * HASH_LEN;

export type HmacSha256 = (key: Bytes, data: Bytes) => Bytes;

/** HKDF-Extract(salt, IKM) = HMAC(salt or HashLen zeros, IKM) (RFC 5869 §2.2). */
export function hkdfExtractWith(hmac: HmacSha256, salt: Bytes, ikm: Bytes): Bytes {
  return hmac(salt.length === 0 ? new Uint8Array(HASH_LEN) : salt, ikm);
}

/** HKDF-Expand(PRK, info, L): T(i) = HMAC(PRK, T(i-1) || info || i) (RFC 5869 §2.3). */
export function hkdfExpandWith(hmac: HmacSha256, prk: Bytes, info: Bytes, length: number): Bytes {
  if (length < 0 || length !== Math.floor(length) || length > HKDF_MAX_LENGTH) {
    // Error, not RangeError: Espruino has no RangeError (tools/image/engine-builtins.ts).
    throw new Error('HKDF-Expand: length must be an integer in 0..' + HKDF_MAX_LENGTH);
  }
  const out = new Uint8Array(length);
  const block = new Uint8Array(HASH_LEN + info.length + 1);
  let prev: Bytes = new Uint8Array(0);
  let done = 0;
  for (let i = 1; done < length; i++) {
    // Input is T(i-1) || info || i; T(0) is empty, so the first block is shorter.
    const input = block.subarray(HASH_LEN - prev.length);
    input.set(prev, 0);
    input.set(info, prev.length);
    input[prev.length + info.length] = i;
    prev = hmac(prk, input);
    const take = Math.min(HASH_LEN, length - done);
    out.set(take === HASH_LEN ? prev : prev.subarray(0, take), done);
    done += take;
  }
  return out;
}
