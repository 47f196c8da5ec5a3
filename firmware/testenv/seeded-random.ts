/**
 * Deterministic randomness for tests and the simulator. Host-only.
 *
 * `SeededRandom` is the HAL `Random`: the ChaCha20 keystream under a key derived from a 32-bit
 * seed and a stream name (so the RNG handed to the firmware, the secure element's key
 * generation and anything else draw from independent streams of one seed, and adding a draw in
 * one does not shift the others). `Xorshift32` is a tiny non-cryptographic generator for test
 * decisions (which bit to flip, where power is cut).
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Bytes, Random } from '../hal.ts';

const BLOCK = 64;

export class SeededRandom implements Random {
  readonly seed: number;
  readonly stream: string;
  private readonly key: Uint8Array;
  private readonly nonce = new Uint8Array(12);
  private counter = 0;
  private block = new Uint8Array(BLOCK);
  private used = BLOCK;

  constructor(seed: number, stream = 'hal') {
    this.seed = seed >>> 0;
    this.stream = stream;
    const label = utf8ToBytes(`wristpay/testenv/${stream}/`);
    const input = new Uint8Array(label.length + 4);
    input.set(label);
    new DataView(input.buffer).setUint32(label.length, this.seed);
    this.key = sha256(input);
  }

  bytes(length: number): Bytes {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`bytes: bad length ${length}`);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      if (this.used === BLOCK) {
        this.block = chacha20(this.key, this.nonce, new Uint8Array(BLOCK), undefined, this.counter++);
        this.used = 0;
      }
      out[i] = this.block[this.used++];
    }
    return out;
  }

  /** A uniform integer in [0, n) (n ≤ 2^32), by rejection so it is unbiased. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new RangeError(`int: bad bound ${n}`);
    const limit = Math.floor(2 ** 32 / n) * n;
    for (;;) {
      const b = this.bytes(4);
      const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
      if (v < limit) return v % n;
    }
  }

  /** An independent generator for a named sub-stream of the same seed. */
  fork(stream: string): SeededRandom {
    return new SeededRandom(this.seed, `${this.stream}/${stream}`);
  }
}

/** Marsaglia xorshift32: fast, deterministic, NOT cryptographic. Seed 0 is mapped to 1. */
export class Xorshift32 {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Next 32-bit unsigned value. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** An integer in [0, n); slight modulo bias is fine for test decisions. */
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  byte(): number {
    return this.next() & 0xff;
  }
}
