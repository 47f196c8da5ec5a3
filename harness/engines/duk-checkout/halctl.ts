/**
 * The globals a scenario sees inside `duk` (../duk-hal.js and the image): `halctl`,
 * the pure-JS HAL's remote control; `wristpay`, the image's one global; duk's `print`.
 * Types only: each file declares the globals it uses (`declare const halctl: HalCtl`), so
 * they stay out of the rest of the project's type scope.
 */
import type { Hal } from '../../../firmware/hal.ts';

/** A stand-in key pair made outside the band (HMAC "signatures" hal.se.verify accepts). */
export interface StandInKey {
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export interface HalCtl {
  hal: Hal;
  /** Virtual time forward; due timers fire with the clock at their due time. */
  advance(ms: number): void;
  now(): number;
  write(bytes: Uint8Array): void;
  connect(mtu: number): void;
  disconnect(): void;
  wear(onSkin: boolean): void;
  charge(charging: boolean): void;
  press(): void;
  display(): string[];
  readonly notified: Uint8Array[];
  readonly logs: string[];
  standInKey(label: string): StandInKey;
  sha256(data: Uint8Array): Uint8Array;
  /** True when the host gave the HAL its SHA-256 (`hostSha256`, harness/engines/engine-run.ts). */
  readonly hostCrypto: boolean;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  hex(bytes: Uint8Array): string;
  ascii(s: string): Uint8Array;
  assert(cond: unknown, message: string): void;
}

/** The image's one global. */
export interface WristpayGlobal {
  status(): string;
}
