/**
 * Everything from the radio is untrusted: 100 000+ random and mutated control-point
 * writes (fast-check, fixed seed) against a live band in the test environment. Checks:
 * no exception escapes, every write returns (no hang), and the safety invariant holds —
 * no payment signature unless a challenge signed by the pinned checkout key was just
 * verified and the band was worn-unlocked (or worn, for an express transit fare).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../shared/cbor/decode.ts';
import { decodeClaims } from '../../shared/cose/token.ts';
import { FrameCommand } from '../../shared/framing/commands.ts';
import { fragmentMessage } from '../../shared/framing/fragment.ts';
import { encodeMessage } from '../../shared/messages/clear.ts';
import { TokenFlag, WearState } from '../../shared/protocol/constants.ts';
import { BandFixture, transitCard } from '../support/band-fixture.ts';

const MTU = 64;
const TARGET_FRAMES = 100_000;

function setup() {
  const f = BandFixture.ready({ seed: 99 });
  const se = f.env.se;
  let verifiedSinceSign = false;
  const violations: string[] = [];
  let signatures = 0;
  const verify = se.verify.bind(se);
  se.verify = (pub, msg, sig) => {
    const ok = verify(pub, msg, sig);
    if (ok && Buffer.from(pub).equals(Buffer.from(f.checkout.signingPub))) verifiedSinceSign = true;
    return ok;
  };
  const sign = se.sign.bind(se);
  se.sign = (slot, tbs) => {
    if (slot === 0) {
      signatures++;
      // Sig_structure = ["Signature1", protected, external_aad, payload]
      const s = decodeCbor(tbs, { strict: true });
      const payload = s.ok && Array.isArray(s.value) ? (s.value[3] as Uint8Array) : null;
      const claims = payload ? decodeClaims(payload) : null;
      if (!claims?.ok) violations.push('signed something that is not a token');
      else {
        const express = (claims.value.flags & TokenFlag.EXPRESS) !== 0;
        const state = f.band.session.current();
        if (
          express
            ? state !== WearState.WORN_LOCKED && state !== WearState.WORN_UNLOCKED
            : state !== WearState.WORN_UNLOCKED
        )
          violations.push(`signed in state ${state} (express ${express})`);
      }
      if (!verifiedSinceSign) violations.push('signed without a verified checkout challenge');
      verifiedSinceSign = false;
    }
    return sign(slot, tbs);
  };
  return { f, violations, signatures: () => signatures };
}

/** Valid messages (as fragments) the fuzzer mutates and replays. */
function corpus(f: BandFixture): Uint8Array[][] {
  const msgs: Uint8Array[] = [];
  for (let i = 0; i < 6; i++) msgs.push(encodeMessage(f.checkout.challenge(f.identity, f.payment(100 + i)).message));
  msgs.push(encodeMessage(f.checkout.challenge(f.identity, f.payment(25000)).message));
  msgs.push(
    encodeMessage(
      f.checkout.challenge(f.identity, f.payment(200, { express: true, cardRef: transitCard.cardRef })).message,
    ),
  );
  msgs.push(encodeMessage({ type: 'hello-request' }));
  msgs.push(encodeMessage(f.checkout.enrollMessage()));
  msgs.push(encodeMessage({ type: 'keepalive', status: 0x32, remainingMs: 5 }));
  return msgs.map((m) => fragmentMessage(FrameCommand.MSG, m, MTU));
}

type Step =
  | { kind: 'random'; bytes: Uint8Array }
  | { kind: 'fragment'; msg: number; frag: number; flip: number; cut: number }
  | { kind: 'message'; msg: number; flip: number }
  | { kind: 'event'; what: number; ms: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('random' as const),
      bytes: fc.uint8Array({ minLength: 0, maxLength: MTU - 3 }),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('fragment' as const),
      msg: fc.nat(),
      frag: fc.nat(),
      flip: fc.integer({ min: -1, max: 8 * 64 }),
      cut: fc.nat({ max: MTU }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('message' as const),
      msg: fc.nat(),
      flip: fc.integer({ min: -1, max: 8 * 400 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('event' as const), what: fc.nat({ max: 5 }), ms: fc.nat({ max: 3000 }) }),
  },
);

describe('band: radio fuzz', () => {
  it(`survives ${TARGET_FRAMES} hostile writes and never signs outside the policy`, () => {
    const { f, violations, signatures } = setup();
    const frames = corpus(f);
    let written = 0;
    const write = (bytes: Uint8Array) => {
      written++;
      f.driver.writeRaw(bytes);
    };
    const flip = (b: Uint8Array, bit: number): Uint8Array => {
      const c = b.slice();
      if (bit >= 0 && bit < c.length * 8) c[bit >> 3] ^= 1 << (bit & 7);
      return c;
    };
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 60 }), (steps) => {
        for (const s of steps) {
          if (s.kind === 'random') write(s.bytes);
          else if (s.kind === 'fragment') {
            const m = frames[s.msg % frames.length];
            write(flip(m[s.frag % m.length], s.flip).subarray(0, Math.max(1, s.cut)));
          } else if (s.kind === 'message') {
            const m = frames[s.msg % frames.length];
            for (const frag of m) write(flip(frag, s.flip - 8));
          } else {
            if (s.what === 0) f.env.wear.sample(false);
            else if (s.what === 1) f.env.wear.sample(true);
            else if (s.what === 2) f.env.button.press();
            else if (s.what === 3) f.env.charger.set(!f.env.charger.isCharging());
            f.env.clock.advance(s.ms);
          }
        }
        f.env.radio.takeNotifications();
      }),
      { seed: 0x5eed, numRuns: Math.ceil(TARGET_FRAMES / 36), endOnFailure: true },
    );
    expect(written).toBeGreaterThanOrEqual(TARGET_FRAMES);
    expect(violations).toEqual([]);
    // The corpus holds valid, fresh challenges, so some signatures happened — each one legitimately.
    expect(signatures()).toBeGreaterThan(0);
  }, 240_000);
});
