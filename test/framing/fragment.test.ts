import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FrameCommand,
  MAX_MESSAGE_SIZE,
  MAX_MTU,
  MIN_MTU,
  Reassembler,
  clampMtu,
  fragmentCount,
  fragmentMessage,
  type FrameEvent,
} from '../../shared/framing/index.ts';
import { Status } from '../../shared/status/codes.ts';

const commands = Object.values(FrameCommand);
const anyCmd = fc.constantFrom(...commands);
const anyMtu = fc.integer({ min: MIN_MTU, max: MAX_MTU });
const anyPayload = fc.uint8Array({ minLength: 0, maxLength: MAX_MESSAGE_SIZE });

/** Feed all fragments; every one but the last must say 'none', the last must be the frame. */
function feed(r: Reassembler, frags: Uint8Array[], t0 = 0): FrameEvent {
  for (let i = 0; i < frags.length - 1; i++) expect(r.push(frags[i], t0 + i)).toEqual({ kind: 'none' });
  return r.push(frags[frags.length - 1], t0 + frags.length);
}

describe('fragmentMessage / Reassembler round trip', () => {
  it('any payload 0..2048 at any MTU 23..517 and any cmd reassembles byte-exact', () => {
    fc.assert(
      fc.property(anyCmd, anyPayload, anyMtu, (cmd, payload, mtu) => {
        const frags = fragmentMessage(cmd, payload, mtu);
        expect(frags.length).toBe(fragmentCount(payload.length, mtu));
        for (const f of frags) expect(f.length).toBeLessThanOrEqual(mtu - 3);
        frags.slice(1).forEach((f, i) => {
          expect(f[0]).toBe(i);
        });
        const ev = feed(new Reassembler(), frags);
        expect(ev.kind).toBe('frame');
        if (ev.kind !== 'frame') return;
        expect(ev.cmd).toBe(cmd);
        expect(Buffer.from(ev.payload).equals(Buffer.from(payload))).toBe(true);
      }),
      { seed: 0x5eed01, numRuns: 300 },
    );
  });

  it('a reassembler reused after an error (and after a frame) still reassembles exactly', () => {
    const garbage = fc.array(fc.uint8Array({ minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(garbage, anyCmd, anyPayload, anyMtu, (junk, cmd, payload, mtu) => {
        const r = new Reassembler();
        let t = 0;
        for (const j of junk) r.push(j, t++);
        // Whatever the junk left behind, one more error (or idle) must leave it ready: an empty
        // write is always MALFORMED and resets.
        expect(r.push(new Uint8Array(0), t++)).toEqual({ kind: 'error', status: Status.MALFORMED });
        for (let round = 0; round < 2; round++) {
          const ev = feed(r, fragmentMessage(cmd, payload, mtu), t);
          t += 1000;
          expect(ev.kind === 'frame' && Buffer.from(ev.payload).equals(Buffer.from(payload))).toBe(true);
        }
      }),
      { seed: 0x5eed02, numRuns: 150 },
    );
  });

  it('does not alias the payload', () => {
    const payload = new Uint8Array(100).map((_, i) => i);
    const frags = fragmentMessage(FrameCommand.MSG, payload, 23);
    payload[0] = 0xee;
    expect(frags[0][3]).toBe(0);
  });
});

describe('fragment counts (decide air time)', () => {
  // n = 1 if L ≤ F−3, else 1 + ⌈(L − (F−3)) / (F−1)⌉ with F = mtu − 3.
  const table: Array<[number, number, number]> = [
    [0, 23, 1],
    [17, 23, 1],
    [18, 23, 2],
    [36, 23, 2],
    [37, 23, 3],
    [2048, 23, 108], // 17 + 107 × 19 = 2050 ≥ 2048; seq 0..106
    [2048, 185, 12],
    [2048, 247, 9],
    [511, 517, 1],
    [512, 517, 2],
    [2048, 517, 4], // 511 + 3 × 513 = 2050
  ];
  it.each(table)('%i bytes at MTU %i → %i fragments', (len, mtu, n) => {
    expect(fragmentCount(len, mtu)).toBe(n);
    expect(fragmentMessage(FrameCommand.MSG, new Uint8Array(len), mtu).length).toBe(n);
  });

  it('the maximal message never wraps the sequence number, even at MTU 23', () => {
    const frags = fragmentMessage(FrameCommand.MSG, new Uint8Array(MAX_MESSAGE_SIZE), MIN_MTU);
    expect(frags[frags.length - 1][0]).toBeLessThanOrEqual(0x7f);
    expect(17 + 128 * 19).toBeGreaterThanOrEqual(MAX_MESSAGE_SIZE);
  });
});

describe('programmer errors throw plain Errors', () => {
  it.each([
    ['MTU 22', () => fragmentMessage(FrameCommand.MSG, new Uint8Array(1), 22)],
    ['MTU 518', () => fragmentMessage(FrameCommand.MSG, new Uint8Array(1), 518)],
    ['MTU 23.5', () => fragmentMessage(FrameCommand.MSG, new Uint8Array(1), 23.5)],
    ['MTU NaN', () => fragmentMessage(FrameCommand.MSG, new Uint8Array(1), NaN)],
    ['payload 2049', () => fragmentMessage(FrameCommand.MSG, new Uint8Array(2049), 517)],
    ['unknown cmd', () => fragmentMessage(0x84, new Uint8Array(1), 23)],
    ['not bytes', () => fragmentMessage(FrameCommand.MSG, [1, 2] as unknown as Uint8Array, 23)],
    ['bad reassembler max', () => new Reassembler({ maxMessageSize: 70000 })],
    ['bad reassembler timeout', () => new Reassembler({ timeoutMs: 0 })],
  ])('%s', (_name, fn) => {
    expect(fn).toThrow(Error);
  });

  it('clampMtu keeps radio-reported values in 23..517', () => {
    expect([0, 22, 23, 100.7, 517, 527, 65535, NaN].map(clampMtu)).toEqual([23, 23, 23, 100, 517, 517, 517, 23]);
  });
});
