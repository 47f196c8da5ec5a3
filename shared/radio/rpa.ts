/**
 * Bluetooth LE resolvable private addresses (RPA), host side (node:crypto): what a BLE
 * controller does with the identity resolving key (IRK) the firmware hands it, and what a
 * central does to recognise its own peer among rotating addresses.
 *
 * - Address format, Core Spec v5.4 Vol 6 Part B §1.3.2.2: 48 bits, most significant first;
 *   the upper 24 bits are `prand` (its two most significant bits 0b01, the other 22 random,
 *   neither all 0 nor all 1), the lower 24 bits `hash = ah(IRK, prand)`.
 * - The random address hash function, Vol 3 Part H §2.2.2: `ah(k, r) = e(k, r') mod 2^24`,
 *   `r' = 0^104 ‖ r`, `e` = AES-128 encryption (Vol 3 Part H §2.2.1), most significant octet
 *   first. Checked against the sample data of Vol 3 Part H Appendix D.7 in test/crypto/rpa.test.ts.
 *
 * Not bundled into the firmware: on a real band the controller computes RPAs.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/bytes.ts';

export const IRK_BYTES = 16;

/** e(k, r'): one AES-128 block, no chaining (ECB on exactly one block), no padding. */
function aes128(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(block), c.final()]));
}

/** ah(k, r), Vol 3 Part H §2.2.2: 24-bit `prand` in, 24-bit hash out (3 bytes each, most significant first). */
export function ah(irk: Uint8Array, prand: Uint8Array): Uint8Array {
  if (irk.length !== IRK_BYTES) throw new RangeError(`ah: the IRK is ${IRK_BYTES} bytes, not ${irk.length}`);
  if (prand.length !== 3) throw new RangeError(`ah: prand is 3 bytes, not ${prand.length}`);
  const r = new Uint8Array(16);
  r.set(prand, 13);
  return aes128(irk, r).subarray(13, 16);
}

/** Six address bytes as noble and every BLE tool print them: "4f:12:…", most significant first. */
export function formatAddress(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** "4f:12:…" (or noble's colon-less peripheral id) → 6 bytes; null when it is not an address. */
export function parseAddress(text: string): Uint8Array | null {
  const hex = text.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** The two most significant bits 0b01 (Vol 6 Part B §1.3.2.2). */
export function isResolvable(address: Uint8Array): boolean {
  return address.length === 6 && (address[0] & 0xc0) === 0x40;
}

/**
 * A fresh prand: two top bits 0b01 and 22 random bits, of which at least one is 0 and one
 * is 1 (Vol 6 Part B §1.3.2.2), from the host's CSPRNG.
 */
function newPrand(): Uint8Array {
  for (;;) {
    const p = new Uint8Array(randomBytes(3));
    p[0] = (p[0] & 0x3f) | 0x40;
    const rest = ((p[0] & 0x3f) << 16) | (p[1] << 8) | p[2];
    if (rest !== 0 && rest !== 0x3fffff) return p;
  }
}

/** A new resolvable private address for `irk`: prand ‖ ah(irk, prand). */
export function newResolvableAddress(irk: Uint8Array): Uint8Array {
  const prand = newPrand();
  const out = new Uint8Array(6);
  out.set(prand, 0);
  out.set(ah(irk, prand), 3);
  return out;
}

/** True when `address` is an RPA made with `irk` (the hash compared in constant time). */
export function resolves(irk: Uint8Array, address: Uint8Array): boolean {
  if (irk.length !== IRK_BYTES || !isResolvable(address)) return false;
  return constantTimeEqual(ah(irk, address.subarray(0, 3)), address.subarray(3, 6));
}
