/**
 * The one way tests (and the simulator) boot the firmware: every HAL part emulated, wired to
 * one virtual clock and derived from one seed, and the emulators returned alongside the `Hal`
 * so the test can drive and inspect them. Host-only: nothing here is bundled into the image
 * (firmware/testenv may import @noble and use ES2015+ library features).
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Aead, Bytes, Hal, Hash } from '../hal.ts';
import { FlashEmulator } from './flash-emulator.ts';
import { SoftSecureElement } from './secure-element.ts';
import { SeededRandom } from './seeded-random.ts';
import { ButtonEmu, ChargerEmu, DisplayEmu, HapticsEmu, LogEmu, RadioEmu, WearSensorEmu } from './sensors.ts';
import { VirtualClock } from './virtual-clock.ts';

export interface TestEnvOptions {
  /** One seed for everything random (RNG, key generation, power-cut choices). Default 1. */
  seed?: number;
  /** Reuse a flash (to "reboot" a band: new env, same flash). Overrides pageSize/pageCount. */
  flash?: FlashEmulator;
  pageSize?: number;
  pageCount?: number;
  /** Wall-clock time at boot (default 2025-01-01T00:00:00Z). */
  wallMs?: number;
}

export interface TestEnv {
  hal: Hal;
  seed: number;
  clock: VirtualClock;
  random: SeededRandom;
  flash: FlashEmulator;
  se: SoftSecureElement;
  wear: WearSensorEmu;
  charger: ChargerEmu;
  button: ButtonEmu;
  display: DisplayEmu;
  radio: RadioEmu;
  haptics: HapticsEmu;
  logs: LogEmu;
}

/** SHA-256 and HMAC-SHA256 as the CryptoCell offers them. */
export const softHash: Hash = {
  sha256: (data: Bytes) => sha256(data),
  hmacSha256: (key: Bytes, data: Bytes) => hmac(sha256, key, data),
};

/** ChaCha20-Poly1305 (RFC 8439). `open` returns null for any failure, never throws. */
export const softAead: Aead = {
  seal: (key, nonce, aad, plaintext) => chacha20poly1305(key, nonce, aad).encrypt(plaintext),
  open: (key, nonce, aad, ciphertext) => {
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(ciphertext);
    } catch {
      return null;
    }
  },
};

export function createTestEnv(opts: TestEnvOptions = {}): TestEnv {
  const seed = (opts.seed ?? 1) >>> 0;
  const clock = new VirtualClock(opts.wallMs);
  // Separate streams: firmware draws never shift key generation or power-cut choices.
  const random = new SeededRandom(seed, 'hal');
  const flash =
    opts.flash ?? new FlashEmulator({ pageSize: opts.pageSize, pageCount: opts.pageCount, seed: seed ^ 0x0f1a5400 });
  const se = new SoftSecureElement(new SeededRandom(seed, 'secure-element'));
  const wear = new WearSensorEmu(clock);
  const charger = new ChargerEmu();
  const button = new ButtonEmu();
  const display = new DisplayEmu(4, 16, clock);
  const radio = new RadioEmu();
  const haptics = new HapticsEmu(clock);
  const logs = new LogEmu();
  const hal: Hal = {
    clock,
    random,
    se,
    hash: softHash,
    aead: softAead,
    flash,
    wear,
    charger,
    button,
    haptics,
    display,
    radio,
    log: logs,
  };
  return { hal, seed, clock, random, flash, se, wear, charger, button, display, radio, haptics, logs };
}
