/**
 * ENROLL's optional ownerKey and ENROLLED's sealed IRK (docs/PROTOCOL.md §3, §7): decoded
 * like every other field, and the three IRK keys travel together or not at all.
 */
import { describe, expect, it } from 'vitest';
import { CborMap } from '../../shared/cbor/types.ts';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { decodeMessage, encodeMessage } from '../../shared/messages/index.ts';
import { MessageType, PROTOCOL_VERSION } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';

const key = (b: number) => new Uint8Array(65).fill(b);
const sig = new Uint8Array(64).fill(9);

function enrolled(extra: Array<[number, Uint8Array]>): Uint8Array {
  const m = new CborMap();
  m.set(0, MessageType.ENROLLED);
  m.set(1, PROTOCOL_VERSION);
  m.set(2, key(4));
  m.set(3, key(5));
  m.set(4, sig);
  for (const [k, v] of extra) m.set(k, v);
  return encodeCborHost(m);
}

describe('ENROLL ownerKey and ENROLLED sealed IRK', () => {
  it('round-trip with and without them', () => {
    const enroll = {
      type: 'enroll' as const,
      checkoutSigningKey: key(1),
      checkoutHpkeKey: key(2),
      nonce: new Uint8Array(16),
    };
    expect(decodeMessage(encodeMessage(enroll))).toEqual({ ok: true, value: { ...enroll, ownerKey: undefined } });
    expect(decodeMessage(encodeMessage({ ...enroll, ownerKey: key(3) }))).toMatchObject({
      ok: true,
      value: { ownerKey: key(3) },
    });
    const full = {
      type: 'enrolled' as const,
      signingKey: key(4),
      hpkeKey: key(5),
      signature: sig,
      irkEnc: key(6),
      irkCt: new Uint8Array(32),
      irkSignature: sig,
    };
    expect(decodeMessage(encodeMessage(full))).toEqual({ ok: true, value: full });
  });

  it('refuses a partial sealed IRK, a wrong-size one, and a wrong-size owner key', () => {
    expect(decodeMessage(enrolled([[5, key(6)]]))).toMatchObject({ ok: false, status: Status.MALFORMED });
    expect(
      decodeMessage(
        enrolled([
          [5, key(6)],
          [6, new Uint8Array(32)],
        ]),
      ),
    ).toMatchObject({ ok: false, status: Status.MALFORMED });
    expect(
      decodeMessage(
        enrolled([
          [5, key(6)],
          [6, new Uint8Array(31)],
          [7, sig],
        ]),
      ),
    ).toMatchObject({ ok: false, status: Status.MALFORMED });
    expect(
      decodeMessage(
        enrolled([
          [5, key(6)],
          [6, new Uint8Array(32)],
          [7, sig],
        ]),
      ),
    ).toMatchObject({ ok: true });
    const enroll = encodeMessage({
      type: 'enroll',
      checkoutSigningKey: key(1),
      checkoutHpkeKey: key(2),
      nonce: new Uint8Array(16),
      ownerKey: new Uint8Array(64),
    });
    expect(decodeMessage(enroll)).toMatchObject({ ok: false, status: Status.MALFORMED });
  });
});
