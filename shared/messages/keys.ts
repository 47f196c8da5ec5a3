/**
 * The map keys of every message, one table per message, as the token names its claims
 * (`Claim`, shared/cose/token.ts). The numbers are the wire format (docs/PROTOCOL.md §3):
 * never renumber one; a new field takes a new number.
 *
 * ES5-safe and plain literals only: the image pipeline (tools/image/inline-constants.ts)
 * replaces each `Table.NAME` read with its number and drops the table, so the names cost
 * the band nothing. That holds only while a table is read by static name (`Table.NAME`),
 * never passed around, iterated or indexed by a variable.
 */

/** Keys 0 and 1 of every clear-text message (PROTOCOL.md §3). */
export const EnvelopeKey = { TYPE: 0, VERSION: 1 } as const;

// ---- clear-text messages: what the bridge sees (PROTOCOL.md §3, "Clear-text messages") ----

/** INFO, type 1: the info characteristic. */
export const InfoMessageKey = { MAX_MESSAGE_SIZE: 2, FIRMWARE: 3, ENROLLED: 4 } as const;
/** HELLO, type 2: the HPKE-sealed hello body. */
export const HelloMessageKey = { ENC: 2, CT: 3 } as const;
/** ENROLL, type 3: OWNER_KEY is added by the owner's bridge (PROTOCOL.md §7), never by the checkout. */
export const EnrollMessageKey = { CHECKOUT_SIGNING_KEY: 2, CHECKOUT_HPKE_KEY: 3, NONCE: 4, OWNER_KEY: 5 } as const;
/** ENROLLED, type 4: IRK_ENC, IRK_CT, IRK_SIGNATURE go together, to the owner's bridge only (PROTOCOL.md §7). */
export const EnrolledMessageKey = {
  SIGNING_KEY: 2,
  HPKE_KEY: 3,
  SIGNATURE: 4,
  IRK_ENC: 5,
  IRK_CT: 6,
  IRK_SIGNATURE: 7,
} as const;
/** CHALLENGE, type 5: the HPKE-sealed signed challenge. */
export const ChallengeMessageKey = { ENC: 2, CT: 3 } as const;
/** ANSWER, type 6: response nonce ‖ ciphertext of the answer body. */
export const AnswerMessageKey = { SEALED: 2 } as const;
/** RESULT, type 7: response nonce ‖ ciphertext of the result body. */
export const ResultMessageKey = { SEALED: 2 } as const;
/** KEEPALIVE, type 8. */
export const KeepaliveMessageKey = { STATUS: 2, REMAINING_MS: 3 } as const;
/** ERROR, type 9. */
export const ErrorMessageKey = { STATUS: 2 } as const;

// ---- sealed bodies: what only band and checkout see (PROTOCOL.md §3, "Sealed bodies") ----

/**
 * Hello body: UNLOCK_NONCE is present exactly when the band is worn and locked; BATTERY (percent)
 * only when the band's hardware measures it. Key 4 was the firmware version (version 1 before the
 * air-byte cuts) and stays retired.
 */
export const HelloBodyKey = { DEVICE_ID: 1, WEAR_STATE: 2, UNLOCK_NONCE: 3, BATTERY: 5 } as const;

/**
 * Challenge body, the payload of the checkout's COSE_Sign1. Keys 1-4 are in every kind; each
 * kind has its own decade: 10-17 and 19 payment, 20-23 unlock, 30 provision card, 31 remove card,
 * 40-42 key update, 50-52 identity (register, assert).
 */
export const ChallengeBodyKey = {
  KIND: 1,
  DEVICE_ID: 2,
  NONCE: 3,
  EXPIRY: 4,
  AMOUNT: 10,
  CURRENCY: 11,
  MERCHANT_ID: 12,
  MERCHANT_NAME: 13,
  TERMINAL_ID: 14,
  ORDER_ID: 15,
  CARD_REF: 16,
  EXPRESS: 17,
  OFFERS: 19,
  BAND_NONCE: 20,
  SESSION_MAX_AGE_MS: 21,
  LIMIT_PER_PAYMENT: 22,
  LIMIT_PER_DAY: 23,
  CARD: 30,
  REMOVE_CARD_REF: 31,
  NEW_SIGNING_KEY: 40,
  NEW_HPKE_KEY: 41,
  KEY_EPOCH: 42,
  RP_ID: 50,
  CLIENT_DATA_HASH: 51,
  CREDENTIAL_ID: 52,
} as const;

/**
 * Card map, in a provision challenge (ChallengeBodyKey.CARD) and in the band's cards record.
 * 5 bank only; 6-8 transit only; 9 both.
 */
export const CardKey = {
  KIND: 1,
  CARD_REF: 2,
  ISSUER: 3,
  LAST4: 4,
  IS_DEFAULT: 5,
  CITY: 6,
  BALANCE: 7,
  FARE_CAP: 8,
  CURRENCY: 9,
} as const;

/**
 * Answer body: TOKEN for payments, BALANCE after a transit fare, CARD_COUNT after a provision or
 * removal; AUTH_DATA (WebAuthn authenticator data) after an identity challenge, with SIGNATURE
 * (P1363 r‖s) and CREDENTIAL_ID after an assertion.
 */
export const AnswerBodyKey = {
  STATUS: 1,
  TOKEN: 2,
  BALANCE: 3,
  CARD_COUNT: 4,
  AUTH_DATA: 5,
  SIGNATURE: 6,
  CREDENTIAL_ID: 7,
} as const;
/** Result body: the checkout's verdict and nothing else. */
export const ResultBodyKey = { STATUS: 1 } as const;
