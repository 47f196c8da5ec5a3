/** A payment challenge's offers (key 19) on the wire: round trip, bounds, and every refusal. */
import { describe, expect, it } from 'vitest';
import { CborMap } from '../../shared/cbor/types.ts';
import { encodeCbor } from '../../shared/cbor/encode.ts';
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
const offer = (cardRef: string, amount: number) => new CborMap([1, 2], [cardRef, amount]);

describe('payment challenge offers', () => {
  it('round-trips, with and without labels, and is absent when there are none', () => {
    const body = {
      ...base,
      offers: [
        { cardRef: 'c1', amount: 1125, label: 'ICBC 10% off dining' },
        { cardRef: 'c2', amount: 0 },
      ],
    };
    expect(decodeChallengeBody(encodeChallengeBody(body))).toEqual({ ok: true, value: body });
    expect(decodeChallengeBody(encodeChallengeBody(base))).toEqual({ ok: true, value: base });
  });

  it('refuses an empty list, more than 8, a card twice, an amount not below the list, unknown keys', () => {
    const bad = (raw: unknown) =>
      expect(decodeChallengeBody(withRawOffers(raw))).toMatchObject({ ok: false, status: Status.MALFORMED });
    bad([]);
    bad(Array.from({ length: 9 }, (_, i) => offer(`c${i}`, 1)));
    bad([offer('c1', 1), offer('c1', 2)]);
    bad([offer('c1', 1250)]);
    bad([offer('', 1)]);
    bad([new CborMap([1, 2, 4], ['c1', 1, 'x'])]);
    bad([new CborMap([1], ['c1'])]);
    bad([['c1', 1]]);
    bad(new CborMap());
    bad([offer('c1', -1)]);
    expect(decodeChallengeBody(withRawOffers([offer('c1', 1249)]))).toMatchObject({ ok: true });
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
        label: fill(32),
      })),
    };
    const payload = encodeChallengeBody(body);
    expect(decodeChallengeBody(payload)).toMatchObject({ ok: true });
    // COSE_Sign1 around it: tag, array head, protected {1: -7}, empty map, payload head, 64-byte signature; AEAD tag 16.
    expect(payload.length + 1 + 1 + 4 + 1 + 3 + 2 + 64 + 16).toBeLessThanOrEqual(Size.MAX_CHALLENGE_CT);
  });
});
