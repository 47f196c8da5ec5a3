/**
 * Password hashing: scrypt (RFC 7914) from node:crypto with a per-user random salt,
 * compared in constant time. Asynchronous, so a login does not stall other requests, and
 * every hash goes through the checkout's bounded queue (hash-queue.ts): this file is the
 * one place a password hash is computed.
 *
 * A stored hash is the cost it was made with (one byte, log2 N) and then the 32-byte key, so
 * an operator who raises `scryptLog2N` keeps every existing password working: each is checked
 * at the cost it was made with. Hashes stored before the cost was kept are the bare 32-byte key,
 * checked at the configured cost (as they always were).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { CheckoutConfig } from './config.ts';
import { type HashLane, HashQueue } from './hash-queue.ts';

const KEY_LEN = 32;
/** The costs a stored hash may name: from the test figure to 2^20 (1 GiB of memory per check at r = 8: far past any sane setting). */
const MIN_LOG2N = 10;
const MAX_LOG2N = 20;

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
      const cost = this.config.scryptLog2N;
      for (const s of secrets) out.push(withCost(cost, await scryptHash(s.password, s.salt, cost)));
      return out;
    });
  }

  async hash(password: string, salt: Uint8Array, options: HashOptions = {}): Promise<Uint8Array> {
    return (await this.hashAll([{ password, salt }], options))[0];
  }

  /** Checks `password` at the cost `stored` was made with; false for a stored value that is no hash of ours. */
  async verify(password: string, salt: Uint8Array, stored: Uint8Array, options: HashOptions = {}): Promise<boolean> {
    const parsed = parseStored(stored, this.config.scryptLog2N);
    if (parsed === null) return false;
    const actual = await this.queue.run(lane(options), () => scryptHash(password, salt, parsed.log2N));
    return timingSafeEqual(actual, parsed.key);
  }
}

function withCost(log2N: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + key.length);
  out[0] = log2N;
  out.set(key, 1);
  return out;
}

/** The cost and key of a stored hash: [log2N] ‖ key, or a bare key from before costs were kept. */
function parseStored(stored: Uint8Array, configured: number): { log2N: number; key: Uint8Array } | null {
  if (stored.length === KEY_LEN) return { log2N: configured, key: stored };
  if (stored.length !== 1 + KEY_LEN) return null;
  const log2N = stored[0];
  if (log2N < MIN_LOG2N || log2N > MAX_LOG2N) return null;
  return { log2N, key: stored.subarray(1) };
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
