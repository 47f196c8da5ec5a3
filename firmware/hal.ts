/**
 * The band's hardware abstraction layer: the only way firmware reaches hardware.
 *
 * Capability interfaces handed to the firmware at boot (like OpenSK's `Env`). Callback
 * and return-value style only: embedded engines (Duktape, Espruino) have no Promises.
 * Nothing here may rely on Node or DOM APIs; the simulator and the test environment
 * implement it on the host, the image's engine binds it as a global `hal` object.
 */
export type Bytes = Uint8Array;

/** Monotonic milliseconds since boot, wall-clock milliseconds, and one-shot timers. */
export interface Clock {
  /** Milliseconds since boot; never goes backwards. */
  monotonicMs(): number;
  /** Wall-clock milliseconds since the Unix epoch (set by the host; may be coarse). */
  wallMs(): number;
  /** Calls `fn` once after `ms`; returns an id for `cancel`. */
  setTimer(ms: number, fn: () => void): number;
  cancelTimer(id: number): void;
}

export interface Random {
  /** `length` bytes from the hardware RNG. */
  bytes(length: number): Bytes;
}

/**
 * Secure element: P-256 key slots. Private keys are generated inside and never leave;
 * the firmware only ever sees public keys, signatures and ECDH outputs.
 * Public keys are uncompressed SEC1 (65 bytes); signatures are P1363 r||s (64 bytes, low-S).
 */
export interface SecureElement {
  readonly slotCount: number;
  /** True when the slot holds a key. */
  hasKey(slot: number): boolean;
  /** Generates a fresh key in `slot`, replacing any key there. */
  generate(slot: number): void;
  /** Erases the key in `slot`. */
  erase(slot: number): void;
  /** The slot's public key, or null when the slot is empty. */
  publicKey(slot: number): Bytes | null;
  /** ECDSA P-256 over SHA-256(message), or null when the slot is empty. */
  sign(slot: number, message: Bytes): Bytes | null;
  /** X coordinate of slot key * peer, or null when the slot is empty or the peer is not on the curve. */
  ecdh(slot: number, peerPublicKey: Bytes): Bytes | null;
  /** Verify an ES256 signature with a public key (no slot needed); never throws. */
  verify(publicKey: Bytes, message: Bytes, signature: Bytes): boolean;
  /** True when the point is a valid uncompressed P-256 public key. */
  isValidPublic(publicKey: Bytes): boolean;
}

/** Hash and MAC engine (CryptoCell). */
export interface Hash {
  sha256(data: Bytes): Bytes;
  hmacSha256(key: Bytes, data: Bytes): Bytes;
}

/** AEAD engine (CryptoCell): ChaCha20-Poly1305, RFC 8439. */
export interface Aead {
  /** Returns ciphertext || 16-byte tag. */
  seal(key: Bytes, nonce: Bytes, aad: Bytes, plaintext: Bytes): Bytes;
  /** Returns plaintext or null if authentication fails. */
  open(key: Bytes, nonce: Bytes, aad: Bytes, ciphertext: Bytes): Bytes | null;
}

/**
 * NOR flash organised in pages. Erased bytes read 0xFF; `program` can only clear bits
 * (new = old & data), so re-programming a byte to a value with more ones is an error;
 * `erase` sets a whole page back to 0xFF. A power cut can interrupt either operation,
 * leaving it partly done.
 */
export interface Flash {
  readonly pageSize: number;
  readonly pageCount: number;
  /** A copy of `length` bytes at `offset` within `page`. */
  read(page: number, offset: number, length: number): Bytes;
  erase(page: number): void;
  /** Programs `data` at `offset` within `page` (bit-clearing only). Throws on a NOR-rule violation. */
  program(page: number, offset: number, data: Bytes): void;
}

/** Wear sensor: raw samples pushed by the host (true = skin contact detected). */
export interface WearSensor {
  /** Registers the one listener for raw samples. */
  onSample(fn: (onSkin: boolean) => void): void;
  /** The latest raw sample. */
  current(): boolean;
}

/** Charger contact, and the battery's fuel gauge where the hardware has one. */
export interface Charger {
  onChange(fn: (charging: boolean) => void): void;
  isCharging(): boolean;
  /** Percent charged (0-100), or -1 when this hardware does not measure it. */
  batteryPercent(): number;
}

export interface Button {
  onPress(fn: () => void): void;
}

export interface Haptics {
  buzz(ms: number): void;
}

/** A small monochrome display: a few short text lines. */
export interface Display {
  readonly lines: number;
  readonly columns: number;
  show(lines: string[]): void;
}

/**
 * GATT server radio. The firmware receives writes to the control point and sends
 * notifications on the status characteristic; the info characteristic is read-only
 * and served from the value the firmware sets.
 *
 * LE privacy is the controller's (Core Vol 6 Part B §1.3.2.2, §6): the firmware hands it
 * the identity resolving key once per boot; the radio then advertises only resolvable
 * private addresses made from it, a new one at once, on every `newAddress()` and on its own
 * timer (at most 15 minutes). A link keeps the address it was made on.
 */
export interface Radio {
  /** Called on connect with the negotiated ATT MTU (23..517), and on disconnect. */
  onConnect(fn: (mtu: number) => void): void;
  onDisconnect(fn: () => void): void;
  /** One write to the control point (one fragment). */
  onWrite(fn: (data: Bytes) => void): void;
  /** Sends one notification on the status characteristic (at most mtu - 3 bytes). */
  notify(data: Bytes): void;
  /** Sets the value served on reads of the info characteristic. */
  setInfo(data: Bytes): void;
  /** Current ATT MTU (23 when disconnected). */
  mtu(): number;
  /** The 16-byte IRK the radio makes its private addresses from; takes a new address at once. */
  setIdentityKey(irk: Bytes): void;
  /** A new private address now (the band was put on or taken off). */
  newAddress(): void;
}

/** A line of diagnostic log (host decides where it goes). */
export interface Log {
  log(message: string): void;
}

/** Everything the firmware gets at boot. */
export interface Hal {
  clock: Clock;
  random: Random;
  se: SecureElement;
  hash: Hash;
  aead: Aead;
  flash: Flash;
  wear: WearSensor;
  charger: Charger;
  button: Button;
  haptics: Haptics;
  display: Display;
  radio: Radio;
  log: Log;
}

/** Secure-element slot assignment. */
export const Slot = {
  /** ES256 payment-token signing key (wiped by a remote wipe). */
  SIGNING: 0,
  /** HPKE (DHKEM P-256) key that challenges are sealed to. */
  HPKE: 1,
  /** Scratch slot for ephemeral keys (HPKE encap of the hello). */
  EPHEMERAL: 2,
  /**
   * The first of the WebAuthn identity keys, one per relying party (core/identity.ts): slots
   * IDENTITY .. IDENTITY + IDENTITY_COUNT - 1, as far as the secure element has slots.
   */
  IDENTITY: 3,
  IDENTITY_COUNT: 4,
} as const;
