/**
 * Password hashing: scrypt (RFC 7914) from node:crypto with a per-user random salt,
 * compared in constant time. Asynchronous, so a login does not stall other requests.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LEN = 32;

export function newSalt(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

export function hashPassword(password: string, salt: Uint8Array, log2N: number): Promise<Uint8Array> {
  const N = 2 ** log2N;
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes, or node refuses N = 2^14 and above.
    scrypt(password.normalize('NFC'), salt, KEY_LEN, { N, r: 8, p: 1, maxmem: 256 * N * 8 + 1024 * 1024 }, (err, key) => {
      if (err) reject(err);
      else resolve(new Uint8Array(key));
    });
  });
}

export async function verifyPassword(password: string, salt: Uint8Array, expected: Uint8Array, log2N: number): Promise<boolean> {
  const actual = await hashPassword(password, salt, log2N);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
