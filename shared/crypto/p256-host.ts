/**
 * P-256 checks shared by the host providers (node:crypto and @noble). HOST ONLY: uses
 * BigInt, so nothing the firmware imports may import this file.
 *
 * Curve parameters from SEC 2 v2 §2.4.2 / FIPS 186-5 (NIST P-256, a = -3).
 * These checks are done by us, not by the backend, so both providers refuse exactly
 * the same inputs (OpenSSL, for one, accepts high-S signatures).
 */
import type { Bytes } from './provider.ts';
import { fromHex } from './bytes.ts';

export const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
export const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
export const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
export const HALF_N = N >> 1n;

/** N and floor(N/2) as 32-byte big-endian strings, for byte-wise range checks. */
export const N_BYTES = fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
export const HALF_N_BYTES = fromHex('7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8');

export function bytesToBigInt(a: Bytes): bigint {
  let v = 0n;
  for (let i = 0; i < a.length; i++) v = (v << 8n) | BigInt(a[i]);
  return v;
}

export function bigIntTo32(v: bigint): Bytes {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** Big-endian compare of a 32-byte window of `a` starting at `off` against `b` (32 bytes). */
function cmp32(a: Bytes, off: number, b: Bytes): number {
  for (let i = 0; i < 32; i++) {
    const x = a[off + i];
    const y = b[i];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function isZero32(a: Bytes, off: number): boolean {
  for (let i = 0; i < 32; i++) if (a[off + i] !== 0) return false;
  return true;
}

/**
 * True when `pub` is 0x04 || X || Y (65 bytes) with X, Y < p and y² = x³ − 3x + b (mod p).
 * The point at infinity has no uncompressed encoding, so it is refused by the length and
 * prefix rule (SEC 1 §2.3.4); compressed (0x02/0x03) and hybrid forms are refused too.
 */
export function isValidP256Public(pub: Bytes): boolean {
  if (!(pub instanceof Uint8Array) || pub.length !== 65 || pub[0] !== 0x04) return false;
  const x = bytesToBigInt(pub.subarray(1, 33));
  const y = bytesToBigInt(pub.subarray(33, 65));
  if (x >= P || y >= P) return false;
  const rhs = (((x * x) % P) * x - 3n * x + B) % P;
  return (y * y) % P === (rhs + P) % P;
}

/** A scalar in [1, n−1] as a 32-byte big-endian string. */
export function isValidScalar(d: Bytes): boolean {
  return d instanceof Uint8Array && d.length === 32 && !isZero32(d, 0) && cmp32(d, 0, N_BYTES) < 0;
}

/**
 * The range rules of the provider convention for a P1363 signature: exactly 64 bytes,
 * 1 ≤ r < n and 1 ≤ s < n. Low/high S is a separate question (`isHighS`).
 */
export function isWellFormedSignature(sig: Bytes): boolean {
  if (!(sig instanceof Uint8Array) || sig.length !== 64) return false;
  if (isZero32(sig, 0) || cmp32(sig, 0, N_BYTES) >= 0) return false;
  if (isZero32(sig, 32) || cmp32(sig, 32, N_BYTES) >= 0) return false;
  return true;
}

/** s > floor(n/2) (n is odd, so this is s > n/2): the malleable twin of a low-S signature. */
export function isHighS(sig: Bytes): boolean {
  return cmp32(sig, 32, HALF_N_BYTES) > 0;
}

/** The same signature with s replaced by n − s (low ↔ high twin). Input must be well-formed. */
export function flipS(sig: Bytes): Bytes {
  const out = new Uint8Array(64);
  out.set(sig.subarray(0, 32), 0);
  out.set(bigIntTo32(N - bytesToBigInt(sig.subarray(32, 64))), 32);
  return out;
}

/** Normalise a well-formed signature to low-S (BIP 62 style; RFC 9053 permits either). */
export function toLowS(sig: Bytes): Bytes {
  return isHighS(sig) ? flipS(sig) : sig;
}
