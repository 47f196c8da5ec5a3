/** A payment challenge's offers (key 19) on the wire: round trip, bounds, and every refusal. */
import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../shared/cbor/encode.ts';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { CborMap } from '../../shared/cbor/types.ts';
import {
  type PaymentChallenge,
  challengeBodyToCbor,
  decodeChallengeBody,
  encodeChallengeBody,
} from '../../shared/messages/bodies.ts';
import { ChallengeBodyKey } from '../../shared/messages/keys.ts';
import { Size } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';

const base: PaymentChallenge = {
  kind: 'payment',
  deviceId: new Uint8Array(16),
  nonce: new Uint8Array(16).fill(1),
  expiry: 1_900_000_000,
  amount: 1250,
  currency: 'CNY',
  merchantId: 'm_1',
  merchantName: 'Tea House',
  terminalId: 't_1',
  orderId: 'o-1',
  express: false,
};

/** The body with key 19 replaced by `raw` (bypassing the encoder's own shape). */
function withRawOffers(raw: unknown): Uint8Array {
  const m = challengeBodyToCbor(base) as CborMap;
  m.set(ChallengeBodyKey.OFFERS, raw as never);
  return encodeCbor(m);
}
const offers = (...pairs: Array<[unknown, unknown]>) =>
  new CborMap(
    pairs.map((p) => p[0] as string),
    pairs.map((p) => p[1] as number),
  );

describe('payment challenge offers', () => {
  it('round-trip with either encoder, and are absent when there are none', () => {
    const body = {
      ...base,
      offers: [
        { cardRef: 'tok_a', amount: 1125 },
        { cardRef: 'tok_b', amount: 0 },
      ],
    };
    expect(decodeChallengeBody(encodeChallengeBody(body))).toEqual({ ok: true, value: body });
    expect(encodeChallengeBody(body, encodeCborHost)).toEqual(encodeChallengeBody(body));
    expect(decodeChallengeBody(encodeChallengeBody(base))).toEqual({ ok: true, value: base });
  });

  it('refuse more than 8, an amount not below the list, a key that is not a card reference, a card twice', () => {
    const bad = (raw: unknown) =>
      expect(decodeChallengeBody(withRawOffers(raw))).toMatchObject({ ok: false, status: Status.MALFORMED });
    bad(offers(...Array.from({ length: 9 }, (_, i) => [`c${i}`, 1] as [string, number])));
    bad(offers(['c1', 1250]));
    bad(offers(['c1', -1]));
    bad(offers(['c1', '1']));
    bad(offers([1, 100]));
    bad(offers(['x'.repeat(Size.MAX_CARD_REF + 1), 1]));
    bad([['c1', 1]]);
    // The strict decoder refuses a repeated map key: one card, one offer. Key 19 is the body's
    // last, so the entry is appended to the body's bytes by hand (the encoders never repeat a key).
    const one = encodeCbor(offers(['c1', 1]));
    const body = encodeCbor(challengeBodyToCbor(base));
    const withEntry = (entry: Uint8Array) => new Uint8Array([body[0] + 1, ...body.slice(1), 0x13, ...entry]);
    expect(decodeChallengeBody(withEntry(one))).toMatchObject({
      ok: true,
      value: { offers: [{ cardRef: 'c1', amount: 1 }] },
    });
    const twice = new Uint8Array([0xa2, ...one.slice(1), ...one.slice(1)]);
    expect(decodeChallengeBody(withEntry(twice))).toMatchObject({ ok: false, detail: 'duplicate map key' });
    expect(decodeChallengeBody(withRawOffers(offers(['c1', 1249])))).toMatchObject({ ok: true });
  });

  it('the largest challenge with 8 offers stays within the sealed challenge bound', () => {
    const fill = (n: number) => '支'.repeat(Math.floor(n / 3));
    const body: PaymentChallenge = {
      ...base,
      amount: 1e12,
      merchantId: fill(32),
      merchantName: fill(32),
      terminalId: fill(32),
      orderId: fill(Size.MAX_ORDER_ID),
      cardRef: fill(Size.MAX_CARD_REF),
      express: true,
      offers: Array.from({ length: 8 }, (_, i) => ({
        cardRef: `${i}${fill(Size.MAX_CARD_REF - 1)}`,
        amount: 1e12 - 1,
      })),
    };
    const payload = encodeChallengeBody(body);
    expect(decodeChallengeBody(payload)).toMatchObject({ ok: true });
    // COSE_Sign1 around it: tag, array head, protected {1: -7}, empty map, payload head, 64-byte signature; AEAD tag 16.
    expect(payload.length + 1 + 1 + 4 + 1 + 3 + 2 + 64 + 16).toBeLessThanOrEqual(Size.MAX_CHALLENGE_CT);
  });
});
