/**
 * The relay session against a band (or a relay in between) that sends anything at all:
 * truncated, oversize, out-of-order and garbage notifications, wrong frame kinds,
 * endless keepalives, silence, a dropped link. Every case ends in a typed BandRefusal
 * with a status code — never another exception, never a hang (fake timers prove the
 * bounds).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BandSession } from '../../bridge/relay/band-session.ts';
import { BandRefusal } from '../../bridge/relay/refusal.ts';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { encodeMessage } from '../../shared/messages/clear.ts';
import { Status, type StatusName } from '../../shared/status/codes.ts';
import { FakeLink } from './helpers/fake-link.ts';

const hello = { type: 'hello' as const, enc: new Uint8Array(65).fill(4), ct: new Uint8Array(120).fill(9) };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Watches a promise without settling anything itself. */
function watch<T>(p: Promise<T>): { state: () => 'pending' | 'resolved' | 'rejected'; error: () => unknown } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let error: unknown;
  p.then(
    () => {
      state = 'resolved';
    },
    (e: unknown) => {
      state = 'rejected';
      error = e;
    },
  );
  return { state: () => state, error: () => error };
}

/** Advances fake time by `ms` (flushing promises) and returns the BandRefusal `p` rejected with. */
async function refusal(p: Promise<unknown>, ms = 0): Promise<BandRefusal> {
  const w = watch(p);
  await vi.advanceTimersByTimeAsync(ms);
  expect(w.state()).toBe('rejected');
  expect(w.error()).toBeInstanceOf(BandRefusal);
  return w.error() as BandRefusal;
}

function named(r: BandRefusal): [StatusName | undefined, string] {
  const name = (Object.keys(Status) as StatusName[]).find((k) => Status[k] === r.status);
  return [name, r.origin];
}

describe('the band refuses', () => {
  it("an ERROR frame is a refusal with the band's status", async () => {
    const link = new FakeLink();
    link.onWrite = () => link.message({ type: 'error', status: Status.LOCKED }, FrameCommand.ERROR);
    const s = new BandSession(link);
    expect(named(await refusal(s.request({ type: 'hello-request' })))).toEqual(['LOCKED', 'band']);
  });
});

describe('broken notifications are refusals, not exceptions', () => {
  const cases: Array<[string, (l: FakeLink) => void, StatusName]> = [
    ['a continuation with no first fragment', (l) => l.notify([0x00, 1, 2, 3]), 'INVALID_SEQUENCE'],
    ['a declared length above 2048', (l) => l.notify([0x83, 0xff, 0xff, 1, 2]), 'OVERSIZE'],
    ['more data than declared', (l) => l.notify([0x83, 0x00, 0x02, 1, 2, 3]), 'OVERSIZE'],
    ['an empty notification', (l) => l.notify([]), 'MALFORMED'],
    ['an unknown command byte', (l) => l.notify([0x90, 0x00, 0x01, 0xa0]), 'UNKNOWN_COMMAND'],
    [
      'a continuation out of order',
      (l) => {
        l.notify([0x83, 0x00, 0x30, ...new Array(17).fill(0xa0)]);
        l.notify([0x01, 1, 2]);
      },
      'INVALID_SEQUENCE',
    ],
    ['not CBOR in a MSG frame', (l) => l.frame(FrameCommand.MSG, new Uint8Array([0xff, 0xfe, 0xfd])), 'MALFORMED'],
    [
      'a CBOR map that is no message',
      (l) => l.frame(FrameCommand.MSG, new Uint8Array([0xa1, 0x00, 0x63])),
      'MALFORMED',
    ],
    [
      'a keepalive message in a MSG frame',
      (l) => l.message({ type: 'keepalive', status: Status.PROCESSING, remainingMs: 10 }),
      'MALFORMED',
    ],
    ['a hello in a KEEPALIVE frame', (l) => l.message(hello, FrameCommand.KEEPALIVE), 'MALFORMED'],
    ['a hello in an ERROR frame', (l) => l.message(hello, FrameCommand.ERROR), 'MALFORMED'],
    [
      'a PING out of the blue',
      (l) => l.frame(FrameCommand.PING, encodeMessage({ type: 'hello-request' })),
      'UNKNOWN_COMMAND',
    ],
    [
      'a future protocol version',
      (l) => l.frame(FrameCommand.MSG, new Uint8Array([0xa2, 0x00, 0x0a, 0x01, 0x02])),
      'UNSUPPORTED_VERSION',
    ],
  ];
  for (const [what, send, status] of cases) {
    it(`${what} → ${status}`, async () => {
      const link = new FakeLink();
      link.onWrite = () => send(link);
      const s = new BandSession(link);
      const r = await refusal(s.request({ type: 'hello-request' }));
      expect(named(r)).toEqual([status, 'link']);
      // The session is usable again afterwards.
      link.onWrite = () => link.message(hello);
      expect(await s.request({ type: 'hello-request' })).toMatchObject({ type: 'hello' });
    });
  }

  it('the reply of the wrong type is MALFORMED when a type is expected', async () => {
    const link = new FakeLink();
    link.onWrite = () => link.message({ type: 'result', sealed: new Uint8Array(40) });
    const r = await refusal(new BandSession(link).expect({ type: 'hello-request' }, 'hello'));
    expect(named(r)).toEqual(['MALFORMED', 'link']);
  });

  it('garbage in the info characteristic is a refusal', async () => {
    const link = new FakeLink();
    link.info = new Uint8Array([1, 2, 3]);
    expect(named(await refusal(new BandSession(link).readInfo()))).toEqual(['MALFORMED', 'link']);
  });
});

describe('bounded waits', () => {
  it('silence → TIMEOUT after timeoutMs, and the band is sent CANCEL', async () => {
    const link = new FakeLink();
    const s = new BandSession(link);
    const p = s.request({ type: 'hello-request' }, { timeoutMs: 3000 });
    const w = watch(p);
    await vi.advanceTimersByTimeAsync(2999);
    expect(w.state()).toBe('pending');
    const r = await refusal(p, 1);
    expect(named(r)).toEqual(['TIMEOUT', 'timeout']);
    await vi.advanceTimersByTimeAsync(0);
    expect(link.commands()).toEqual([FrameCommand.MSG, FrameCommand.CANCEL]);
  });

  it('a message that stops half way → REASSEMBLY_TIMEOUT', async () => {
    const link = new FakeLink();
    link.onWrite = () => link.notify([0x83, 0x00, 0x64, ...new Array(17).fill(0xa0)]);
    const r = await refusal(new BandSession(link).request({ type: 'hello-request' }, { timeoutMs: 1000 }), 1000);
    expect(named(r)).toEqual(['REASSEMBLY_TIMEOUT', 'timeout']);
  });

  it('keepalives stretch the silence budget, but not past maxWaitMs', async () => {
    const link = new FakeLink();
    const s = new BandSession(link);
    let seen = 0;
    const p = s.request({ type: 'hello-request' }, { timeoutMs: 1000, maxWaitMs: 20_000, onKeepalive: () => seen++ });
    const timer = setInterval(
      () =>
        link.message(
          { type: 'keepalive', status: Status.CONFIRMATION_REQUIRED, remainingMs: 30_000 },
          FrameCommand.KEEPALIVE,
        ),
      500,
    );
    const r = await refusal(p, 20_000);
    clearInterval(timer);
    expect(named(r)).toEqual(['TIMEOUT', 'timeout']);
    expect(seen).toBeGreaterThan(30);
  });

  it("a keepalive's remainingMs is honoured beyond timeoutMs; the answer then arrives", async () => {
    const link = new FakeLink();
    link.onWrite = () =>
      link.message(
        { type: 'keepalive', status: Status.CONFIRMATION_REQUIRED, remainingMs: 10_000 },
        FrameCommand.KEEPALIVE,
      );
    const s = new BandSession(link);
    const p = s.request(
      { type: 'hello-request' },
      {
        timeoutMs: 1000,
        onKeepalive: () => {
          throw new Error('a broken prompt');
        },
      },
    );
    await vi.advanceTimersByTimeAsync(8000);
    link.message(hello);
    expect(await p).toMatchObject({ type: 'hello' });
  });

  it('the band walks away mid-wait → UNREACHABLE', async () => {
    const link = new FakeLink();
    const s = new BandSession(link);
    const p = s.request({ type: 'hello-request' });
    await vi.advanceTimersByTimeAsync(100);
    link.drop();
    expect(named(await refusal(p))).toEqual(['UNREACHABLE', 'radio']);
    expect(named(await refusal(s.request({ type: 'hello-request' })))).toEqual(['UNREACHABLE', 'radio']);
  });

  it('a failing write → UNREACHABLE', async () => {
    const link = new FakeLink();
    link.failWrites = true;
    expect(named(await refusal(new BandSession(link).request({ type: 'hello-request' })))).toEqual([
      'UNREACHABLE',
      'radio',
    ]);
  });

  it('one request at a time: a second one meanwhile is BUSY', async () => {
    const link = new FakeLink();
    const s = new BandSession(link);
    const first = s.request({ type: 'hello-request' });
    expect(named(await refusal(s.request({ type: 'hello-request' })))).toEqual(['BUSY', 'local']);
    link.message(hello);
    expect(await first).toMatchObject({ type: 'hello' });
  });

  it('a late reply after a time-out is dropped, not taken as the next reply', async () => {
    const link = new FakeLink();
    const s = new BandSession(link);
    await refusal(s.request({ type: 'hello-request' }, { timeoutMs: 100 }), 100);
    link.message({ type: 'result', sealed: new Uint8Array(40) });
    expect(s.dropped).toBe(1);
    link.onWrite = () => link.message(hello);
    expect(await s.request({ type: 'hello-request' })).toMatchObject({ type: 'hello' });
  });

  it('an outgoing message above 2048 bytes is refused locally (OVERSIZE), nothing is written', async () => {
    const link = new FakeLink();
    const r = await refusal(new BandSession(link).request(new Uint8Array(2049)));
    expect(named(r)).toEqual(['OVERSIZE', 'local']);
    expect(link.writes).toEqual([]);
  });
});

describe('relaying', () => {
  it('a multi-fragment reply at MTU 23 reassembles to the exact bytes; writes fit mtu − 3', async () => {
    const link = new FakeLink(23);
    const challenge = encodeMessage({
      type: 'challenge',
      enc: new Uint8Array(65).fill(1),
      ct: new Uint8Array(600).fill(2),
    });
    const fragments = Math.ceil((challenge.length - 17) / 19) + 1;
    link.onWrite = () => {
      if (link.writes.length === fragments) link.message(hello);
    };
    const reply = await new BandSession(link).exchange(challenge);
    expect(reply.bytes).toEqual(encodeMessage(hello));
    expect(link.writes.every((w) => w.length <= 20)).toBe(true);
    expect(link.writes.length).toBe(fragments);
    const sent = new Uint8Array(link.writes.reduce((n, w, i) => n + w.length - (i === 0 ? 3 : 1), 0));
    let at = 0;
    link.writes.forEach((w, i) => {
      sent.set(w.subarray(i === 0 ? 3 : 1), at);
      at += w.length - (i === 0 ? 3 : 1);
    });
    expect(sent).toEqual(challenge);
  });

  it('a band that answers mid-upload (e.g. CHANNEL_BUSY) stops the upload at once', async () => {
    const link = new FakeLink(23);
    link.onWrite = () => {
      if (link.writes.length === 2) link.message({ type: 'error', status: Status.CHANNEL_BUSY }, FrameCommand.ERROR);
    };
    const big = encodeMessage({ type: 'challenge', enc: new Uint8Array(65), ct: new Uint8Array(600) });
    expect(named(await refusal(new BandSession(link).request(big)))).toEqual(['CHANNEL_BUSY', 'band']);
    expect(link.writes.length).toBe(2);
  });

  it('property: any notifications at all settle every request with a message or a BandRefusal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }), async (fragments) => {
        const link = new FakeLink(23);
        link.onWrite = () => {
          for (const f of fragments) link.notify(f);
        };
        const s = new BandSession(link);
        let outcome: unknown = 'pending';
        s.request({ type: 'hello-request' }, { timeoutMs: 500, maxWaitMs: 2000 }).then(
          (m) => {
            outcome = m;
          },
          (e: unknown) => {
            outcome = e;
          },
        );
        await vi.advanceTimersByTimeAsync(2000);
        expect(outcome === 'pending' || (outcome instanceof Error && !(outcome instanceof BandRefusal))).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
