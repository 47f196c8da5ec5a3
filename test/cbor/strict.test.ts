/**
 * Strict mode is RFC 8949 §4.2.1 core deterministic encoding narrowed to the wristpay
 * profile (no floats, no undefined/simple values, integers within ±(2^53-1), int or
 * text keys). Each case below is well-formed, so non-strict mode decodes it; strict
 * mode must refuse it. Plus the resource limits (depth, items, bytes, trailing bytes).
 */
import { describe, expect, it } from 'vitest';
import { CborTag, decodeCbor, decodeCborPrefix, toDiagnostic } from '../../shared/cbor/index.ts';
import { Status } from '../../shared/status/codes.ts';

const bytesOf = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const strictly = (hex: string, o = {}) => decodeCbor(bytesOf(hex), o);
const loosely = (hex: string, o = {}) => decodeCbor(bytesOf(hex), { strict: false, ...o });
const diag = (r: ReturnType<typeof decodeCbor>) => (r.ok ? toDiagnostic(r.value) : `refused: ${r.detail}`);

// [hex, why strict refuses it, what non-strict decodes it to]
const nonCanonical: Array<[string, string, string]> = [
  ['1817', 'int 23 with a 1-byte argument', '23'],
  ['190017', 'int 23 with a 2-byte argument', '23'],
  ['1900ff', 'int 255 with a 2-byte argument', '255'],
  ['1a0000ffff', 'int 65535 with a 4-byte argument', '65535'],
  ['1b00000000ffffffff', 'int 2^32-1 with an 8-byte argument', '4294967295'],
  ['3817', 'int -24 with a 1-byte argument', '-24'],
  ['3b0000000000000000', 'int -1 with an 8-byte argument', '-1'],
  ['5801ff', 'byte string length with a 1-byte argument', "h'ff'"],
  ['790001' + '61', 'text length with a 2-byte argument', '"a"'],
  ['980101', 'array length with a 1-byte argument', '[1]'],
  ['b8010102', 'map length with a 1-byte argument', '{1: 2}'],
  ['d80101', 'tag number 1 with a 1-byte argument', '1(1)'],
  ['a2020001' + '00', 'unsorted int keys', '{2: 0, 1: 0}'],
  ['a220000a00', '-1 (0x20) before 10 (0x0a)', '{-1: 0, 10: 0}'],
  ['a2616100' + '0a00', 'text key before int key', '{"a": 0, 10: 0}'],
  // Bytewise order, not RFC 7049 length-first: "b" (6162) sorts before "aa" (626161).
  ['a2626161006162' + '00', 'length-first order is not §4.2.1 order', '{"aa": 0, "b": 0}'],
  ['a201000101', 'duplicate int key (last wins when loose)', '{1: 1}'],
  ['a2616101616102', 'duplicate text key', '{"a": 2}'],
  ['9f01ff', 'indefinite array', '[1]'],
  ['bf0100ff', 'indefinite map', '{1: 0}'],
  ['5f4101ff', 'indefinite byte string', "h'01'"],
  ['7f6161ff', 'indefinite text string', '"a"'],
  ['f90000', 'half float', '0'],
  ['fa3f800000', 'single float', '1'],
  ['fb3ff8000000000000', 'double float', '1.5'],
  ['a1f93c0000', 'float map key', '{1: 0}'],
  ['f7', 'undefined', 'undefined'],
  ['f0', 'simple(16)', 'simple(16)'],
  ['f820', 'simple(32)', 'simple(32)'],
  ['f8ff', 'simple(255)', 'simple(255)'],
  ['1b0020000000000000', 'int 2^53', '9007199254740992'],
  ['3b001fffffffffffff', 'int -2^53', '-9007199254740992'],
  ['1bffffffffffffffff', 'int 2^64-1', '18446744073709552000'],
  ['db000000010000000000', 'tag number 2^32', '4294967296(0)'],
];

describe('strict mode refuses non-deterministic encodings that are well-formed', () => {
  it.each(nonCanonical)('%s: %s', (hex, _why, loose) => {
    const s = strictly(hex);
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.status).toBe(Status.MALFORMED);
    expect(diag(loosely(hex))).toBe(loose);
  });
});

describe('strict mode accepts the deterministic profile', () => {
  const good: Array<[string, string]> = [
    ['17', '23'],
    ['1818', '24'],
    ['1b001fffffffffffff', '9007199254740991'],
    ['3b001ffffffffffffe', '-9007199254740991'],
    ['a4' + '0a00' + '186400' + '2000' + '616100', '{10: 0, 100: 0, -1: 0, "a": 0}'],
    ['a2' + '616200' + '62616100', '{"b": 0, "aa": 0}'],
    ['da' + 'ffffffff' + 'f6', '4294967295(null)'],
    ['c249010000000000000000', "2(h'010000000000000000')"],
    ['83f4f5f6', '[false, true, null]'],
  ];
  it.each(good)('%s', (hex, expected) => expect(diag(strictly(hex))).toBe(expected));
});

describe('both modes refuse what the data model or RFC 8949 §3.1 forbids', () => {
  const bad: Array<[string, string]> = [
    ['62c0af', 'overlong UTF-8'],
    ['63eda080', 'UTF-8 encoded surrogate'],
    ['64f4908080', 'code point above U+10FFFF'],
    ['61c3', 'truncated UTF-8 sequence'],
    ['6180', 'stray continuation byte'],
    ['7f61c361bcff', 'indefinite text whose chunks split a code point'],
    ['a14000f6', 'byte-string map key'],
    ['a1f600', 'null map key'],
    ['a1c10000', 'tagged map key'],
  ];
  it.each(bad)('%s: %s', (hex) => {
    expect(strictly(hex).ok).toBe(false);
    expect(loosely(hex).ok).toBe(false);
  });
});

describe('limits', () => {
  const nested = (n: number) => '81'.repeat(n) + '00';
  it('refuses nesting beyond maxDepth (default 8), counting arrays, maps and tags', () => {
    expect(strictly(nested(8)).ok).toBe(true);
    expect(strictly(nested(9)).ok).toBe(false);
    expect(loosely(nested(9)).ok).toBe(false);
    expect(strictly('c1' + nested(7)).ok).toBe(true);
    expect(strictly('c1' + nested(8)).ok).toBe(false);
    expect(strictly('a101' + nested(7)).ok).toBe(true);
    expect(strictly('a101' + nested(8)).ok).toBe(false);
    expect(strictly(nested(2), { maxDepth: 1 }).ok).toBe(false);
    expect(strictly(nested(20), { maxDepth: 20 }).ok).toBe(true);
    expect(strictly('00', { maxDepth: 0 }).ok).toBe(true);
  });

  it('refuses inputs above maxBytes (default 4096) with OVERSIZE', () => {
    const big = new Uint8Array(4097);
    big.set([0x59, 0x0f, 0xfe]); // h'...' of 4094 bytes: 4097 in all
    const r = decodeCbor(big);
    expect(r.ok ? 0 : r.status).toBe(Status.OVERSIZE);
    expect(decodeCbor(big, { maxBytes: 5000 }).ok).toBe(true);
    expect(decodeCbor(bytesOf('00'), { maxBytes: 0 }).ok).toBe(false);
  });

  it('refuses more than maxItems data items (default 512)', () => {
    const many = (n: number) => '99' + n.toString(16).padStart(4, '0') + '00'.repeat(n);
    expect(strictly(many(511)).ok).toBe(true); // 511 + the array itself
    expect(strictly(many(512)).ok).toBe(false);
    expect(strictly(many(600), { maxItems: 601 }).ok).toBe(true);
    expect(loosely('9f' + '00'.repeat(600) + 'ff').ok).toBe(false); // counted as they come
  });

  it('refuses lengths that cannot fit in the input before allocating', () => {
    expect(loosely('9affffffff').ok).toBe(false);
    expect(loosely('bbffffffffffffffff').ok).toBe(false);
    expect(loosely('5bffffffffffffffff').ok).toBe(false);
  });

  it('refuses trailing bytes unless allowTrailing', () => {
    expect(strictly('0000').ok).toBe(false);
    expect(loosely('0000').ok).toBe(false);
    expect(strictly('0000', { allowTrailing: true }).ok).toBe(true);
    const p = decodeCborPrefix(bytesOf('8201020304'), { allowTrailing: true });
    expect(p.ok && p.value.length).toBe(3);
  });

  it('refuses empty input and non-Uint8Array input', () => {
    expect(strictly('').ok).toBe(false);
    expect(decodeCbor('00' as unknown as Uint8Array).ok).toBe(false);
    expect(decodeCbor([0] as unknown as Uint8Array).ok).toBe(false);
  });

  it('decodes bignums as tags and copies byte strings out of the input', () => {
    const input = bytesOf('c349010000000000000000');
    const r = loosely('c349010000000000000000');
    expect(r.ok && r.value instanceof CborTag && r.value.tag).toBe(3);
    const b = decodeCbor(input);
    input.fill(0);
    expect(b.ok && toDiagnostic(b.value)).toBe("3(h'010000000000000000')");
  });

  it('decodes a subarray view at a non-zero offset', () => {
    const buf = bytesOf('ffff' + 'fa3fc00000' + 'ff');
    const r = decodeCbor(buf.subarray(2, 7), { strict: false });
    expect(r.ok && r.value).toBe(1.5);
  });
});
