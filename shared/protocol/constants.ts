/**
 * Protocol constants shared by band, bridge and checkout (docs/PROTOCOL.md).
 * ES5-safe: the firmware imports this file.
 */
export const PROTOCOL_VERSION = 1;

/** Largest message (frame payload) either side accepts; fits MTU 23 without wrapping seq. */
export const MAX_MESSAGE_BYTES = 2048;

/** Message type, key 0 of every clear-text message (docs/PROTOCOL.md §3). */
export const MessageType = {
  INFO: 1,
  HELLO: 2,
  ENROLL: 3,
  ENROLLED: 4,
  CHALLENGE: 5,
  ANSWER: 6,
  RESULT: 7,
  KEEPALIVE: 8,
  ERROR: 9,
  HELLO_REQUEST: 10,
} as const;

export const ChallengeKind = {
  PAYMENT: 1,
  UNLOCK: 2,
  PROVISION_CARD: 3,
  REMOVE_CARD: 4,
  WIPE: 5,
  KEY_UPDATE: 6,
  FIND: 7,
  IDENTITY_REGISTER: 8,
  IDENTITY_ASSERT: 9,
} as const;

export const WearState = {
  OFF_WRIST: 0,
  WORN_LOCKED: 1,
  WORN_UNLOCKED: 2,
  CHARGING: 3,
} as const;
export type WearStateCode = (typeof WearState)[keyof typeof WearState];

export const CardKind = {
  BANK: 1,
  TRANSIT: 2,
} as const;
export type CardKindCode = (typeof CardKind)[keyof typeof CardKind];

/** Token flag bits (claim 11). */
export const TokenFlag = {
  WORN: 1,
  UNLOCKED: 2,
  CONFIRMED: 4,
  EXPRESS: 8,
} as const;

/** HPKE info strings and RFC 9458 export labels (ASCII). */
export const Label = {
  HELLO: 'wristpay/1 hello',
  CHALLENGE: 'wristpay/1 challenge',
  ANSWER: 'wristpay/1 answer',
  RESULT: 'wristpay/1 result',
  ENROLL: 'wristpay/1 enroll',
  IRK: 'wristpay/1 irk',
} as const;

/** Fixed sizes on the wire. */
export const Size = {
  PUBLIC_KEY: 65,
  SIGNATURE: 64,
  ID: 16,
  NONCE: 16,
  MAX_HELLO_CT: 256,
  MAX_CHALLENGE_CT: 1500,
  MAX_ANSWER: 1024,
  MAX_RESULT: 256,
  MAX_SHORT_TEXT: 32,
  MAX_ORDER_ID: 64,
  MAX_CARD_REF: 40,
  MAX_FIRMWARE: 16,
  /** The band's identity resolving key (Core Vol 3 Part H §2.4.2.1), and sealed: IRK ‖ 16-byte tag. */
  IRK: 16,
  SEALED_IRK: 32,
} as const;

/** GATT layout (docs/PROTOCOL.md §1). */
export const Gatt = {
  SERVICE: '77726973-7470-6179-0001-000000000000',
  CONTROL_POINT: '77726973-7470-6179-0002-000000000000',
  STATUS: '77726973-7470-6179-0003-000000000000',
  INFO: '77726973-7470-6179-0004-000000000000',
  LOCAL_NAME: 'wristpay',
} as const;

/** Maximum depth of any protocol message (a challenge's card map sits at depth 2). */
export const MAX_MESSAGE_DEPTH = 4;
