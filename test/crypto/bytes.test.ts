import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ascii,
  compareBE,
  concat,
  constantTimeEqual,
  copy,
  fromHex,
  i2osp,
  isZero,
  toHex,
  xor,
} from '../../shared/crypto/bytes.ts';

const bytes = fc.uint8Array({ maxLength: 64 });

describe('shared/crypto/bytes.ts', () => {
  it('hex round-trips and agrees with Buffer', () => {
    fc.assert(
      fc.property(bytes, (a) => {
        const h = toHex(a);
        expect(h).toBe(Buffer.from(a).toString('hex'));
        expect(fromHex(h)).toEqual(a);
        expect(fromHex(h.toUpperCase())).toEqual(a);
      }),
    );
  });

  it('fromHex refuses odd length and non-hex digits', () => {
    expect(() => fromHex('abc')).toThrow();
    expect(() => fromHex('zz')).toThrow();
    expect(() => fromHex('0g')).toThrow();
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('concat, copy and xor', () => {
    fc.assert(
      fc.property(bytes, bytes, bytes, (a, b, c) => {
        expect(concat(a, b, c)).toEqual(new Uint8Array(Buffer.concat([a, b, c])));
        const k = copy(a);
        expect(k).toEqual(a);
        if (a.length > 0) {
          k[0] ^= 1;
          expect(k[0]).not.toBe(a[0]);
        }
        expect(xor(xor(a, a), a)).toEqual(a);
      }),
    );
    expect(concat()).toEqual(new Uint8Array(0));
    expect(() => xor(new Uint8Array(1), new Uint8Array(2))).toThrow();
  });

  it('constantTimeEqual matches ordinary equality', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)));
        expect(constantTimeEqual(a, copy(a))).toBe(true);
      }),
    );
    expect(constantTimeEqual(fromHex('0001'), fromHex('0002'))).toBe(false);
    expect(constantTimeEqual(fromHex('00'), fromHex('0000'))).toBe(false);
  });

  it('i2osp is big-endian, handles values above 2^32, and refuses what does not fit', () => {
    expect(i2osp(0x0102, 2)).toEqual(fromHex('0102'));
    expect(i2osp(256, 12)).toEqual(fromHex('000000000000000000000100'));
    expect(i2osp(2 ** 40 + 5, 8)).toEqual(fromHex('0000010000000005'));
    expect(i2osp(2 ** 53 - 1, 7)).toEqual(fromHex('1fffffffffffff'));
    expect(() => i2osp(256, 1)).toThrow();
    expect(() => i2osp(-1, 2)).toThrow();
    expect(() => i2osp(1.5, 2)).toThrow();
    expect(() => i2osp(2 ** 53, 8)).toThrow();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const b = i2osp(n, 8);
        expect(Buffer.from(b).readBigUInt64BE(0)).toBe(BigInt(n));
      }),
    );
  });

  it('ascii encodes labels and refuses non-ASCII', () => {
    expect(ascii('HPKE-v1')).toEqual(new Uint8Array(Buffer.from('HPKE-v1')));
    expect(() => ascii('é')).toThrow();
  });

  it('compareBE and isZero', () => {
    expect(compareBE(fromHex('0100'), fromHex('00ff'))).toBe(1);
    expect(compareBE(fromHex('00ff'), fromHex('0100'))).toBe(-1);
    expect(compareBE(fromHex('abcd'), fromHex('abcd'))).toBe(0);
    expect(isZero(new Uint8Array(5))).toBe(true);
    expect(isZero(fromHex('0001'))).toBe(false);
  });
});
