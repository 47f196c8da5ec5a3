/**
 * Resolvable private addresses (shared/radio/rpa.ts) against the Bluetooth Core
 * Specification's own sample data, and the properties the band's privacy rests on.
 */
import { describe, expect, it } from 'vitest';
import {
  ah,
  formatAddress,
  isResolvable,
  newResolvableAddress,
  parseAddress,
  resolves,
} from '../../shared/radio/rpa.ts';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

describe('random address hash ah (Core Vol 3 Part H §2.2.2)', () => {
  it('matches the sample data of Core Vol 3 Part H Appendix D.7', () => {
    // D.7 "ah random address hash function": IRK, prand → hash, and the resulting RPA.
    const irk = hex('ec0234a357c8ad05341010a60a397d9b');
    expect(Buffer.from(ah(irk, hex('708194'))).toString('hex')).toBe('0dfbaa');
    expect(resolves(irk, hex('7081940dfbaa'))).toBe(true);
    expect(formatAddress(hex('7081940dfbaa'))).toBe('70:81:94:0d:fb:aa');
  });

  it('refuses keys and prands of the wrong size', () => {
    expect(() => ah(new Uint8Array(15), new Uint8Array(3))).toThrow(RangeError);
    expect(() => ah(new Uint8Array(16), new Uint8Array(4))).toThrow(RangeError);
  });
});

describe('resolvable private addresses (Core Vol 6 Part B §1.3.2.2)', () => {
  const irk = hex('00112233445566778899aabbccddeeff');
  const other = hex('ffeeddccbbaa99887766554433221100');

  it('a new address has the top bits 0b01, a non-trivial prand, and resolves with its IRK only', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const a = newResolvableAddress(irk);
      expect(a[0] >> 6).toBe(0b01);
      const rest = ((a[0] & 0x3f) << 16) | (a[1] << 8) | a[2];
      expect(rest).not.toBe(0);
      expect(rest).not.toBe(0x3fffff);
      expect(isResolvable(a)).toBe(true);
      expect(resolves(irk, a)).toBe(true);
      expect(resolves(other, a)).toBe(false);
      seen.add(formatAddress(a));
    }
    expect(seen.size).toBe(200);
  });

  it('a static or non-resolvable address never resolves, even with a matching hash', () => {
    const a = newResolvableAddress(irk);
    const asStatic = a.slice();
    asStatic[0] |= 0xc0;
    expect(resolves(irk, asStatic)).toBe(false);
    expect(resolves(irk, new Uint8Array(5))).toBe(false);
  });

  it('parses printed addresses and noble ids', () => {
    expect(parseAddress('70:81:94:0d:fb:aa')).toEqual(hex('7081940dfbaa'));
    expect(parseAddress('7081940DFBAA')).toEqual(hex('7081940dfbaa'));
    expect(parseAddress('70:81:94:0d:fb')).toBeNull();
  });
});
