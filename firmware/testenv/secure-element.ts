/**
 * A software secure element over @noble/curves P-256. Host-only (tests and the simulator):
 * the real band's keys live in the nRF52840's CryptoCell/secure element.
 *
 * The private scalars are held in a JS private field, so firmware code running against this
 * object cannot read them; `exportState`/`importState` exist only so the simulator can persist
 * a band across restarts and are NOT part of the HAL `SecureElement` interface.
 */
import { p256 } from '@noble/curves/nist.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { Bytes, Random, SecureElement } from '../hal.ts';

/** Emulator-only persistence format: one lower-case hex scalar (or null) per slot. */
export interface SecureElementState {
  version: 1;
  slots: (string | null)[];
}

const UNCOMPRESSED_LENGTH = 65;
const SIGNATURE_LENGTH = 64;

export class SoftSecureElement implements SecureElement {
  readonly slotCount: number;
  readonly #keys: (Uint8Array | null)[];
  readonly #random: Random;

  /** Keys are generated from `random` (a seeded one makes runs reproducible). */
  constructor(random: Random, slotCount = 7) {
    if (!Number.isInteger(slotCount) || slotCount < 1) throw new RangeError(`bad slotCount ${slotCount}`);
    this.slotCount = slotCount;
    this.#random = random;
    this.#keys = new Array<Uint8Array | null>(slotCount).fill(null);
  }

  hasKey(slot: number): boolean {
    return this.#key(slot) !== null;
  }

  generate(slot: number): void {
    this.#check(slot);
    // randomSecretKey reduces a 48-byte seed mod n (FIPS 186-5 A.2.1), so any seed is valid.
    this.#keys[slot] = p256.utils.randomSecretKey(this.#random.bytes(p256.lengths.seed ?? 48));
  }

  erase(slot: number): void {
    this.#check(slot);
    const k = this.#keys[slot];
    if (k) k.fill(0);
    this.#keys[slot] = null;
  }

  publicKey(slot: number): Bytes | null {
    const k = this.#key(slot);
    return k === null ? null : p256.getPublicKey(k, false);
  }

  sign(slot: number, message: Bytes): Bytes | null {
    const k = this.#key(slot);
    if (k === null) return null;
    // RFC 6979 deterministic nonces; prehash = SHA-256(message); lowS as the HAL promises.
    return p256.sign(message, k, { prehash: true, lowS: true });
  }

  ecdh(slot: number, peerPublicKey: Bytes): Bytes | null {
    const k = this.#key(slot);
    if (k === null || !this.isValidPublic(peerPublicKey)) return null;
    return p256.getSharedSecret(k, peerPublicKey, true).slice(1); // compressed point → X
  }

  verify(publicKey: Bytes, message: Bytes, signature: Bytes): boolean {
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
    if (!(message instanceof Uint8Array) || !this.isValidPublic(publicKey)) return false;
    try {
      return p256.verify(signature, message, publicKey, { prehash: true, lowS: true });
    } catch {
      return false;
    }
  }

  isValidPublic(publicKey: Bytes): boolean {
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== UNCOMPRESSED_LENGTH || publicKey[0] !== 0x04) {
      return false;
    }
    try {
      return p256.utils.isValidPublicKey(publicKey, false);
    } catch {
      return false;
    }
  }

  /** Emulator-only: the slots as hex, for the simulator's state file. Exposes private keys. */
  exportState(): SecureElementState {
    return { version: 1, slots: this.#keys.map((k) => (k === null ? null : bytesToHex(k))) };
  }

  /**
   * Emulator-only: load slots saved by `exportState`. A state with fewer slots (saved before the
   * identity slots existed) leaves the rest empty. Throws on a malformed or larger state.
   */
  importState(state: SecureElementState): void {
    if (!state || state.version !== 1 || !Array.isArray(state.slots) || state.slots.length > this.slotCount) {
      throw new Error('importState: not a version-1 state for this slot count');
    }
    const keys = state.slots.map((hex) => {
      if (hex === null) return null;
      if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) throw new Error('importState: bad key encoding');
      const k = hexToBytes(hex);
      if (!p256.utils.isValidSecretKey(k)) throw new Error('importState: scalar out of range');
      return k;
    });
    for (let i = 0; i < keys.length; i++) this.#keys[i] = keys[i];
  }

  #check(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slotCount) {
      throw new RangeError(`secure element slot ${slot} out of range 0..${this.slotCount - 1}`);
    }
  }

  #key(slot: number): Uint8Array | null {
    this.#check(slot);
    return this.#keys[slot];
  }
}
