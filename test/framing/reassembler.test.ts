import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrameCommand, Reassembler, fragmentMessage, type FrameEvent } from '../../shared/framing/index.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';

const MSG = FrameCommand.MSG;
const b = (...xs: number[]) => new Uint8Array(xs);
const none: FrameEvent = { kind: 'none' };
const err = (status: StatusCode): FrameEvent => ({ kind: 'error', status });
const bytes = (n: number, start = 0) => new Uint8Array(n).map((_, i) => (start + i) & 0xff);

/** Fragments of a 40-byte MSG at MTU 23: init carries 17, then 19 + 4. */
const three = () => fragmentMessage(MSG, bytes(40), 23);

type Step = [Uint8Array, number, FrameEvent | 'frame'];
const cases: Array<[string, () => Step[]]> = [
  ['empty write', () => [[b(), 0, err(Status.MALFORMED)]]],
  ['init with one byte', () => [[b(MSG), 0, err(Status.MALFORMED)]]],
  ['init with two bytes', () => [[b(MSG, 0), 0, err(Status.MALFORMED)]]],
  ['length field but no bytes', () => [[b(MSG, 0, 5), 0, err(Status.MALFORMED)]]],
  ['empty message is a frame', () => [[b(MSG, 0, 0), 0, { kind: 'frame', cmd: MSG, payload: b() }]]],
  ['unknown command', () => [[b(0x90, 0, 1, 7), 0, err(Status.UNKNOWN_COMMAND)]]],
  ['declared length over max', () => [[b(MSG, 0x08, 0x01, 1), 0, err(Status.OVERSIZE)]]],
  ['declared 0xffff', () => [[b(MSG, 0xff, 0xff, 1), 0, err(Status.OVERSIZE)]]],
  ['more data than declared in init', () => [[b(MSG, 0, 1, 7, 8), 0, err(Status.OVERSIZE)]]],
  ['continuation first', () => [[b(0, 1, 2), 0, err(Status.INVALID_SEQUENCE)]]],
  [
    'truncated: stops after init, then times out',
    () => {
      const f = three();
      return [
        [f[0], 0, none],
        [f[1], 10, none],
      ];
    },
  ],
  [
    'extra trailing bytes in the last fragment',
    () => {
      const f = three();
      const last = new Uint8Array(f[2].length + 1);
      last.set(f[2]);
      return [
        [f[0], 0, none],
        [f[1], 1, none],
        [last, 2, err(Status.OVERSIZE)],
      ];
    },
  ],
  [
    'duplicate seq',
    () => {
      const f = three();
      return [
        [f[0], 0, none],
        [f[1], 1, none],
        [f[1], 2, err(Status.INVALID_SEQUENCE)],
      ];
    },
  ],
  [
    'skipped seq',
    () => {
      const f = three();
      return [
        [f[0], 0, none],
        [f[2], 1, err(Status.INVALID_SEQUENCE)],
      ];
    },
  ],
  [
    'out-of-order seq',
    () => {
      const f = fragmentMessage(MSG, bytes(80), 23);
      return [
        [f[0], 0, none],
        [f[2], 1, err(Status.INVALID_SEQUENCE)],
        [f[1], 2, err(Status.INVALID_SEQUENCE)],
      ];
    },
  ],
  [
    'continuation with no data',
    () => {
      const f = three();
      return [
        [f[0], 0, none],
        [b(0), 1, err(Status.MALFORMED)],
      ];
    },
  ],
  [
    'init while busy (CHANNEL_BUSY drops both)',
    () => {
      const f = three();
      return [
        [f[0], 0, none],
        [b(MSG, 0, 1, 9), 1, err(Status.CHANNEL_BUSY)],
        [f[1], 2, err(Status.INVALID_SEQUENCE)],
      ];
    },
  ],
  [
    'CANCEL mid-reassembly is CHANNEL_BUSY, link left idle',
    () => {
      const f = three();
      return [
        [f[0], 0, none],
        [b(FrameCommand.CANCEL, 0, 0), 1, err(Status.CHANNEL_BUSY)],
        [b(FrameCommand.CANCEL, 0, 0), 2, 'frame'],
      ];
    },
  ],
  [
    'continuation after the deadline',
    () => {
      const f = three();
      return [
        [f[0], 0, none],
        [f[1], 2000, err(Status.REASSEMBLY_TIMEOUT)],
        [f[2], 2001, err(Status.INVALID_SEQUENCE)],
      ];
    },
  ],
  [
    'init after the deadline starts afresh',
    () => {
      const f = three();
      return [
        [f[0], 0, none],
        [f[0], 5000, none],
        [f[1], 5001, none],
        [f[2], 5002, 'frame'],
      ];
    },
  ],
  [
    'just inside the deadline',
    () => {
      const f = three();
      return [
        [f[0], 0, none],
        [f[1], 1999, none],
        [f[2], 3998, 'frame'],
      ];
    },
  ],
  [
    'MTU 23 edge: 17 bytes in one, 18 in two',
    () => {
      const one = fragmentMessage(MSG, bytes(17), 23);
      const two = fragmentMessage(MSG, bytes(18), 23);
      return [
        [one[0], 0, 'frame'],
        [two[0], 1, none],
        [two[1], 2, 'frame'],
      ];
    },
  ],
  [
    'MTU 517 edge: 511 bytes in one, 512 in two',
    () => {
      const one = fragmentMessage(MSG, bytes(511), 517);
      const two = fragmentMessage(MSG, bytes(512), 517);
      return [
        [one[0], 0, 'frame'],
        [two[0], 1, none],
        [two[1], 2, 'frame'],
      ];
    },
  ],
];

describe('hostile fragments', () => {
  it.each(cases)('%s', (_name, make) => {
    const r = new Reassembler();
    for (const [frag, t, want] of make()) {
      const ev = r.push(frag, t);
      if (want === 'frame') expect(ev.kind).toBe('frame');
      else expect(ev).toEqual(want);
    }
    // Whatever happened, a fresh message goes through afterwards.
    r.reset();
    const f = three();
    expect(r.push(f[0], 10_000)).toEqual(none);
    expect(r.push(f[1], 10_001)).toEqual(none);
    const ev = r.push(f[2], 10_002);
    expect(ev.kind === 'frame' && Buffer.from(ev.payload).equals(Buffer.from(bytes(40)))).toBe(true);
  });

  it('poll fires the time-out once, from the last fragment', () => {
    const r = new Reassembler({ timeoutMs: 100 });
    const f = three();
    expect(r.poll(0)).toEqual(none);
    r.push(f[0], 0);
    r.push(f[1], 90);
    expect(r.deadline()).toBe(190);
    expect(r.poll(189)).toEqual(none);
    expect(r.poll(190)).toEqual(err(Status.REASSEMBLY_TIMEOUT));
    expect(r.poll(191)).toEqual(none);
    expect(r.inProgress).toBe(false);
    expect(r.deadline()).toBe(-1);
  });

  it('honours a smaller maxMessageSize', () => {
    const r = new Reassembler({ maxMessageSize: 16 });
    expect(r.push(fragmentMessage(MSG, bytes(17), 23)[0], 0)).toEqual(err(Status.OVERSIZE));
    expect(r.push(fragmentMessage(MSG, bytes(16), 23)[0], 1).kind).toBe('frame');
  });

  it('rejects non-Uint8Array input without throwing', () => {
    const r = new Reassembler();
    for (const junk of [null, undefined, 5, 'abc', [0x83, 0, 0], {}]) {
      expect(r.push(junk as unknown as Uint8Array, 0)).toEqual(err(Status.MALFORMED));
    }
  });
});

describe('random byte streams', () => {
  const known = new Set<number>(Object.values(Status));
  it('split into random writes: frames or status errors, never a throw, bounded state, no hang', () => {
    const write = fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 600 }),
      // Biased towards plausible headers so the deep states are reached too.
      fc
        .tuple(
          fc.constantFrom(0x81, 0x83, 0xbe, 0xbf, 0x80, 0xff),
          fc.integer({ min: 0, max: 0x900 }),
          fc.uint8Array({ maxLength: 300 }),
        )
        .map(([c, l, d]) => new Uint8Array([c, l >> 8, l & 0xff, ...d])),
      fc
        .tuple(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ minLength: 0, maxLength: 300 }))
        .map(([s, d]) => new Uint8Array([s, ...d])),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(write, fc.integer({ min: 0, max: 700 })), { maxLength: 60 }), (writes) => {
        const r = new Reassembler({ timeoutMs: 500 });
        let t = 0;
        for (const [w, dt] of writes) {
          t += dt;
          const ev = r.push(w, t);
          if (ev.kind === 'error') expect(known.has(ev.status)).toBe(true);
          if (ev.kind === 'frame') expect(ev.payload.length).toBeLessThanOrEqual(2048);
          // Bounded state: never more than maxMessageSize bytes held (peek at the private buffer).
          const held = (r as unknown as { buffer: Uint8Array | null }).buffer;
          expect(held === null ? 0 : held.length).toBeLessThanOrEqual(2048);
          if (r.inProgress) expect(r.deadline()).toBe(t + 500);
        }
        // No hang: once the time-out passes, the reassembler is idle again.
        r.poll(t + 500);
        expect(r.inProgress).toBe(false);
      }),
      { seed: 0x5eed03, numRuns: 400 },
    );
  });

  it('a concatenated stream of valid messages re-split at random points still yields only frames or errors', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.flatMap((p) => fragmentMessage(MSG, p, 23)));
          const r = new Reassembler();
          let pos = 0;
          let i = 0;
          let t = 0;
          while (pos < stream.length) {
            const n = cuts[i++ % cuts.length];
            const ev = r.push(new Uint8Array(stream.subarray(pos, pos + n)), t++);
            expect(['none', 'frame', 'error']).toContain(ev.kind);
            pos += n;
          }
        },
      ),
      { seed: 0x5eed04, numRuns: 200 },
    );
  });
});
