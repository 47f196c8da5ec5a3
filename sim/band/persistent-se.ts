/**
 * The simulated band's secure element: firmware/testenv's SoftSecureElement (keys made
 * inside from a real RNG, only public halves, signatures and ECDH outputs leave through
 * the HAL) whose slots are saved to the band's state directory after every generate or
 * erase, so keys survive restarts. The file holds private scalars: mode 0600, and it is
 * an emulator artefact (a real SE never exports them).
 */
import { randomBytes } from 'node:crypto';
import type { Bytes, Random, SecureElement } from '../../firmware/hal.ts';
import { SoftSecureElement, type SecureElementState } from '../../firmware/testenv/secure-element.ts';
import { readJsonFile, writeJsonAtomic } from './atomic-file.ts';

/** Signing, HPKE, ephemeral, and four identity keys (firmware/hal.ts Slot). */
export const SE_SLOTS = 7;

/** The host's CSPRNG as a HAL Random. */
export const cryptoRandom: Random = {
  bytes: (length: number) => {
    if (!Number.isInteger(length) || length < 0 || length > 65536) throw new RangeError(`bytes: bad length ${length}`);
    return new Uint8Array(randomBytes(length));
  },
};

export class PersistentSecureElement implements SecureElement {
  readonly slotCount = SE_SLOTS;
  readonly #se = new SoftSecureElement(cryptoRandom, SE_SLOTS);

  constructor(private readonly path: string) {
    const saved = readJsonFile<SecureElementState>(path);
    if (saved !== undefined) {
      try {
        this.#se.importState(saved);
      } catch (err) {
        throw new Error(`${path}: ${(err as Error).message}`);
      }
    } else {
      this.save();
    }
  }

  hasKey(slot: number): boolean {
    return this.#se.hasKey(slot);
  }
  generate(slot: number): void {
    this.#se.generate(slot);
    this.save();
  }
  erase(slot: number): void {
    this.#se.erase(slot);
    this.save();
  }
  publicKey(slot: number): Bytes | null {
    return this.#se.publicKey(slot);
  }
  sign(slot: number, message: Bytes): Bytes | null {
    return this.#se.sign(slot, message);
  }
  ecdh(slot: number, peerPublicKey: Bytes): Bytes | null {
    return this.#se.ecdh(slot, peerPublicKey);
  }
  verify(publicKey: Bytes, message: Bytes, signature: Bytes): boolean {
    return this.#se.verify(publicKey, message, signature);
  }
  isValidPublic(publicKey: Bytes): boolean {
    return this.#se.isValidPublic(publicKey);
  }

  /** Public keys per slot (hex or null), for status and tests; private halves never leave. */
  publicKeysHex(): (string | null)[] {
    const out: (string | null)[] = [];
    for (let s = 0; s < SE_SLOTS; s++) {
      const k = this.#se.publicKey(s);
      out.push(k === null ? null : Buffer.from(k).toString('hex'));
    }
    return out;
  }

  private save(): void {
    writeJsonAtomic(this.path, this.#se.exportState(), { mode: 0o600 });
  }
}
