/**
 * One valid sample per decoder, with the schema of every field (docs/PROTOCOL.md §3, §4).
 * hostile.test.ts derives its whole table of hostile inputs from these, and checks that
 * the list covers every message type, challenge kind and card kind, and that each
 * schema names exactly the sample's keys: add a message here and it is attacked too.
 */
import { type CborMap, type CborValue, cborMap } from '../../shared/cbor/index.ts';
import { decodeClaims } from '../../shared/cose/token.ts';
import {
  decodeAnswerBody,
  decodeChallengeBody,
  decodeHelloBody,
  decodeResultBody,
} from '../../shared/messages/bodies.ts';
import { decodeMessage } from '../../shared/messages/clear.ts';
import { MAX_MESSAGE_BYTES, MessageType, Size } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import type { Result } from '../../shared/status/error.ts';
import { enc, entriesOf, mapBytes, withValue } from './raw-cbor.ts';

export type FieldKind = 'uint' | 'bytes' | 'text' | 'bool' | 'map';

export interface FieldSpec {
  key: number;
  kind: FieldKind;
  /** Exact length (bytes or text). */
  len?: number;
  /** Largest length, or largest integer value. */
  max?: number;
  optional?: boolean;
  /** Values of the right type that must be accepted (boundaries). */
  good?: CborValue[];
  /** Values of the right type that must be refused with MALFORMED. */
  bad?: CborValue[];
  /** Values of a discriminator that must be refused with UNKNOWN_COMMAND. */
  unknown?: CborValue[];
}

export interface Target {
  name: string;
  sample: CborMap;
  decode: (bytes: Uint8Array) => Result<unknown>;
  /** Clear-text messages carry key 0 (type) and key 1 (version). */
  header: boolean;
  /** Largest input the decoder takes (OVERSIZE above); absent for a map nested in another target. */
  limit?: number;
  fields: FieldSpec[];
}

const fill = (n: number, b: number): Uint8Array => new Uint8Array(n).fill(b);
const pub = (b: number): Uint8Array => {
  const k = fill(65, b);
  k[0] = 4;
  return k;
};
const MAX_AMOUNT = 1e12;
const SAFE = 2 ** 53 - 1;

const bytesLen = (key: number, len: number, optional?: boolean): FieldSpec => ({ key, kind: 'bytes', len, optional });
const bytesMax = (key: number, max: number, optional?: boolean): FieldSpec => ({ key, kind: 'bytes', max, optional });
const textMax = (key: number, max: number, extra?: Partial<FieldSpec>): FieldSpec => ({
  key,
  kind: 'text',
  max,
  ...extra,
});
const uint = (key: number, max?: number, extra?: Partial<FieldSpec>): FieldSpec => ({
  key,
  kind: 'uint',
  max,
  good: max === undefined ? [0, SAFE] : undefined,
  ...extra,
});
const currency = (key: number): FieldSpec => ({
  key,
  kind: 'text',
  len: 3,
  bad: ['usd', 'US1', 'U D', '€UR'],
  good: ['EUR'],
});
const NOT_CODES = [0x0b, 0x1f, 0x7e, 0xff, 0x100];
const anyStatus = (key: number): FieldSpec => ({
  key,
  kind: 'uint',
  good: [Status.OK, Status.INTERNAL],
  bad: NOT_CODES,
});

function clear(type: number, ...fields: Array<[number, CborValue]>): CborMap {
  return cborMap([0, type], [1, 1], ...fields);
}

type Bare = Pick<Target, 'name' | 'sample' | 'fields'>;

const CLEAR: Target[] = (
  [
    {
      name: 'INFO',
      sample: clear(MessageType.INFO, [2, 2048], [3, 'wp-0.1.0'], [4, true]),
      fields: [uint(2, 65535), textMax(3, Size.MAX_FIRMWARE), { key: 4, kind: 'bool' }],
    },
    {
      name: 'HELLO',
      sample: clear(MessageType.HELLO, [2, pub(1)], [3, fill(80, 2)]),
      fields: [bytesLen(2, 65), bytesMax(3, Size.MAX_HELLO_CT)],
    },
    {
      name: 'ENROLL',
      sample: clear(MessageType.ENROLL, [2, pub(1)], [3, pub(2)], [4, fill(16, 3)]),
      fields: [bytesLen(2, 65), bytesLen(3, 65), bytesLen(4, 16)],
    },
    {
      name: 'ENROLLED',
      sample: clear(MessageType.ENROLLED, [2, pub(1)], [3, pub(2)], [4, fill(64, 3)]),
      fields: [bytesLen(2, 65), bytesLen(3, 65), bytesLen(4, 64)],
    },
    {
      name: 'CHALLENGE',
      sample: clear(MessageType.CHALLENGE, [2, pub(1)], [3, fill(300, 2)]),
      fields: [bytesLen(2, 65), bytesMax(3, Size.MAX_CHALLENGE_CT)],
    },
    { name: 'ANSWER', sample: clear(MessageType.ANSWER, [2, fill(200, 1)]), fields: [bytesMax(2, Size.MAX_ANSWER)] },
    { name: 'RESULT', sample: clear(MessageType.RESULT, [2, fill(60, 1)]), fields: [bytesMax(2, Size.MAX_RESULT)] },
    {
      name: 'KEEPALIVE',
      sample: clear(MessageType.KEEPALIVE, [2, Status.CONFIRMATION_REQUIRED], [3, 29500]),
      fields: [
        {
          key: 2,
          kind: 'uint',
          good: [Status.PROCESSING],
          bad: [Status.OK, Status.MALFORMED, Status.INTERNAL, ...NOT_CODES],
        },
        uint(3, 600000),
      ],
    },
    // An ERROR always names a failure: OK is refused.
    {
      name: 'ERROR',
      sample: clear(MessageType.ERROR, [2, Status.MALFORMED]),
      fields: [{ key: 2, kind: 'uint', good: [Status.INTERNAL], bad: [Status.OK, ...NOT_CODES] }],
    },
    { name: 'HELLO_REQUEST', sample: clear(MessageType.HELLO_REQUEST), fields: [] },
  ] satisfies Bare[]
).map((t) => ({ ...t, decode: decodeMessage, header: true, limit: MAX_MESSAGE_BYTES }));

// ---- challenge bodies ----
const common: Array<[number, CborValue]> = [
  [2, fill(16, 7)],
  [3, fill(16, 8)],
  [4, 1_700_000_000],
];
const commonFields = (unknown: number[]): FieldSpec[] => [
  { key: 1, kind: 'uint', unknown },
  bytesLen(2, 16),
  bytesLen(3, 16),
  uint(4),
];
const UNKNOWN_KINDS = [0, 10, 99, 255, 256, 2 ** 32, SAFE];

export const BANK_CARD = cborMap([1, 1], [2, 'card-ref-1'], [3, 'Bank of Tests'], [4, '4242'], [5, true], [9, 'CNY']);
export const TRANSIT_CARD = cborMap(
  [1, 2],
  [2, 'transit-sh'],
  [3, 'Shanghai Metro'],
  [4, '0001'],
  [6, 'Shanghai'],
  [7, 5000],
  [8, 2000],
  [9, 'CNY'],
);
const PROVISION = cborMap([1, 3], ...common, [30, BANK_CARD]);

const challenge = (name: string, kind: number, fields: FieldSpec[], ...rest: Array<[number, CborValue]>): Target => ({
  name: 'challenge/' + name,
  sample: cborMap([1, kind], ...common, ...rest),
  decode: decodeChallengeBody,
  header: false,
  limit: Size.MAX_CHALLENGE_CT,
  fields: [...commonFields(UNKNOWN_KINDS), ...fields],
});

const CHALLENGES: Target[] = [
  challenge(
    'payment',
    1,
    [
      uint(10, MAX_AMOUNT, { bad: [0] }),
      currency(11),
      textMax(12, 32, { bad: [''] }),
      textMax(13, 32, { good: [''] }),
      textMax(14, 32, { bad: [''] }),
      textMax(15, Size.MAX_ORDER_ID, { bad: [''] }),
      // express is omitted when false (one encoding per meaning in signed data); cardRef is never empty.
      textMax(16, Size.MAX_CARD_REF, { optional: true, bad: [''] }),
      { key: 17, kind: 'bool', optional: true, bad: [false] },
    ],
    [10, 1999],
    [11, 'CNY'],
    [12, 'm-001'],
    [13, 'Tea House'],
    [14, 't-01'],
    [15, 'order-42'],
    [16, 'card-ref-1'],
    [17, true],
  ),
  challenge(
    'unlock',
    2,
    [bytesLen(20, 16), uint(21, 7 * 24 * 3600 * 1000), uint(22, MAX_AMOUNT), uint(23, MAX_AMOUNT)],
    [20, fill(16, 9)],
    [21, 3_600_000],
    [22, 20000],
    [23, 100000],
  ),
  challenge('provision', 3, [{ key: 30, kind: 'map' }], [30, BANK_CARD]),
  challenge('remove-card', 4, [textMax(31, Size.MAX_CARD_REF)], [31, 'card-ref-1']),
  challenge('wipe', 5, []),
  challenge('find', 7, []),
  challenge('key-update', 6, [bytesLen(40, 65), bytesLen(41, 65), uint(42)], [40, pub(4)], [41, pub(5)], [42, 2]),
  challenge('identity-register', 8, [textMax(50, 253), bytesLen(51, 32)], [50, 'shop.example'], [51, fill(32, 3)]),
  challenge(
    'identity-assert',
    9,
    [textMax(50, 253), bytesLen(51, 32), bytesLen(52, 16, true)],
    [50, 'shop.example'],
    [51, fill(32, 3)],
    [52, fill(16, 4)],
  ),
];

/** A provision challenge whose card map is `cardBytes`, as raw bytes. */
export function provisionWith(cardBytes: Uint8Array): Uint8Array {
  return mapBytes(withValue(entriesOf(PROVISION), enc(30), cardBytes));
}
const cardCommon = (notThisKind: number): FieldSpec[] => [
  { key: 1, kind: 'uint', bad: [0, 3, notThisKind, 255] },
  textMax(2, Size.MAX_CARD_REF, { bad: [''] }),
  textMax(3, 32),
  { key: 4, kind: 'text', len: 4, bad: ['12a4', 'abcd', '١٢٣٤'], good: ['0000'] },
  currency(9),
];
const CARDS: Target[] = (
  [
    { name: 'card/bank (via provision)', sample: BANK_CARD, fields: [...cardCommon(2), { key: 5, kind: 'bool' }] },
    {
      name: 'card/transit (via provision)',
      sample: TRANSIT_CARD,
      fields: [...cardCommon(1), textMax(6, 32), uint(7, MAX_AMOUNT), uint(8, MAX_AMOUNT)],
    },
  ] satisfies Bare[]
).map((t) => ({ ...t, decode: (b: Uint8Array) => decodeChallengeBody(provisionWith(b)), header: false }));

// ---- other bodies and the token claims ----
const BODIES: Target[] = [
  {
    name: 'hello body',
    sample: cborMap([1, fill(16, 1)], [2, 1], [3, fill(16, 2)], [5, 80]),
    decode: decodeHelloBody,
    header: false,
    limit: Size.MAX_HELLO_CT,
    // The sample is worn-locked (state 1), so its unlock nonce (key 3) is required; states 0, 2 and 3 must not carry one.
    // The firmware version (the old key 4) is no longer there: the INFO characteristic has it, and key 4 is now unknown.
    // Key 5, the battery in percent, is optional.
    fields: [
      bytesLen(1, 16),
      { key: 2, kind: 'uint', good: [1], bad: [0, 2, 3, 4, SAFE] },
      bytesLen(3, 16),
      { key: 5, kind: 'uint', optional: true, good: [0, 100], bad: [101, SAFE] },
    ],
  },
  {
    name: 'answer body',
    sample: cborMap(
      [1, Status.OK],
      [2, fill(100, 1)],
      [3, 450],
      [4, 3],
      [5, fill(37, 2)],
      [6, fill(64, 3)],
      [7, fill(16, 4)],
    ),
    decode: decodeAnswerBody,
    header: false,
    limit: Size.MAX_ANSWER,
    fields: [
      anyStatus(1),
      bytesMax(2, 512, true),
      uint(3, MAX_AMOUNT, { optional: true }),
      uint(4, 8, { optional: true }),
      bytesMax(5, 256, true),
      bytesLen(6, 64, true),
      bytesLen(7, 16, true),
    ],
  },
  // Status only: the band composes its display line from it and the challenge it answered.
  {
    name: 'result body',
    sample: cborMap([1, Status.OK]),
    decode: decodeResultBody,
    header: false,
    limit: Size.MAX_RESULT,
    fields: [anyStatus(1)],
  },
  {
    name: 'token claims',
    decode: decodeClaims,
    header: false,
    limit: 512,
    sample: cborMap(
      [1, fill(16, 1)],
      [2, 'card-ref-1'],
      [3, 1999],
      [4, 'CNY'],
      [5, 'm-001'],
      [6, 't-01'],
      [7, 'order-42'],
      [8, fill(16, 2)],
      [9, 17],
      [10, 1_700_000_000],
      [11, 3],
    ),
    fields: [
      bytesLen(1, 16),
      textMax(2, Size.MAX_CARD_REF),
      uint(3, MAX_AMOUNT),
      currency(4),
      textMax(5, 32),
      textMax(6, 32),
      textMax(7, Size.MAX_ORDER_ID),
      bytesLen(8, 16),
      uint(9),
      uint(10),
      uint(11, 15),
    ],
  },
];

export const TARGETS: Target[] = [...CLEAR, ...CHALLENGES, ...CARDS, ...BODIES];
