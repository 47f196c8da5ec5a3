/**
 * Password hashing: scrypt (RFC 7914) from node:crypto with a per-user random salt,
 * compared in constant time. Asynchronous, so a login does not stall other requests, and
 * every hash goes through the checkout's bounded queue (hash-queue.ts): this file is the
 * one place a password hash is computed.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { CheckoutConfig } from './config.ts';
import { type HashLane, HashQueue } from './hash-queue.ts';

const KEY_LEN = 32;

export function newSalt(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

export interface HashOptions {
  /** The caller proved it is trusted (a device that signed in before): its own lane, served first. */
  trusted?: boolean;
}

export interface Secret {
  password: string;
  salt: Uint8Array;
}

export class PasswordHasher {
  private readonly queue: HashQueue;

  constructor(private readonly config: Pick<CheckoutConfig, 'scryptLog2N' | 'hashQueue'>) {
    this.queue = new HashQueue(config.hashQueue);
  }

  /** Hashes several secrets in one queue slot (registration: password and payment password). */
  hashAll(secrets: Secret[], options: HashOptions = {}): Promise<Uint8Array[]> {
    return this.queue.run(lane(options), async () => {
      const out: Uint8Array[] = [];
      for (const s of secrets) out.push(await scryptHash(s.password, s.salt, this.config.scryptLog2N));
      return out;
    });
  }

  async hash(password: string, salt: Uint8Array, options: HashOptions = {}): Promise<Uint8Array> {
    return (await this.hashAll([{ password, salt }], options))[0];
  }

  async verify(password: string, salt: Uint8Array, expected: Uint8Array, options: HashOptions = {}): Promise<boolean> {
    const actual = await this.hash(password, salt, options);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}

function lane(options: HashOptions): HashLane {
  return options.trusted === true ? 'trusted' : 'normal';
}

function scryptHash(password: string, salt: Uint8Array, log2N: number): Promise<Uint8Array> {
  const N = 2 ** log2N;
  return new Promise((resolve, reject) => {
    // maxmem must cover 128 * N * r bytes, or node refuses N = 2^14 and above.
    scrypt(
      password.normalize('NFC'),
      salt,
      KEY_LEN,
      { N, r: 8, p: 1, maxmem: 256 * N * 8 + 1024 * 1024 },
      (err, key) => {
        if (err) reject(err);
        else resolve(new Uint8Array(key));
      },
    );
  });
}
