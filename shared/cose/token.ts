/**
 * The payment token: a COSE_Sign1 ES256 over the claims map (docs/PROTOCOL.md §4).
 * Signing runs on the band (ES5-safe); verification lives in token-verify.ts.
 */
import { decodeCbor } from '../cbor/decode.ts';
import { CborMap } from '../cbor/types.ts';
import { Size } from '../protocol/constants.ts';
import { type Result, fail } from '../status/error.ts';
import { Status } from '../status/codes.ts';
import { type Encoder, addFields, defaultEncoder } from '../messages/envelope.ts';
import { isCurrencyCode } from '../messages/chars.ts';
import { Fields } from '../messages/fields.ts';
import { ES256, Header, encodeSign1, sigStructure } from './sign1.ts';

export interface TokenClaims {
  deviceId: Uint8Array;
  cardRef: string;
  amount: number;
  currency: string;
  merchantId: string;
  terminalId: string;
  orderId: string;
  checkoutNonce: Uint8Array;
  counter: number;
  /** Band wall-clock seconds at signing (a CWT NumericDate, RFC 8392 §2). */
  time: number;
  flags: number;
}

/** Claim keys (docs/PROTOCOL.md §4). */
export const Claim = {
  DEVICE_ID: 1,
  CARD_REF: 2,
  AMOUNT: 3,
  CURRENCY: 4,
  MERCHANT_ID: 5,
  TERMINAL_ID: 6,
  ORDER_ID: 7,
  CHECKOUT_NONCE: 8,
  COUNTER: 9,
  TIME: 10,
  FLAGS: 11,
} as const;

export const MAX_TOKEN_BYTES = 512;

export function claimsToCbor(c: TokenClaims): CborMap {
  return addFields(new CborMap(), [
    [Claim.DEVICE_ID, c.deviceId],
    [Claim.CARD_REF, c.cardRef],
    [Claim.AMOUNT, c.amount],
    [Claim.CURRENCY, c.currency],
    [Claim.MERCHANT_ID, c.merchantId],
    [Claim.TERMINAL_ID, c.terminalId],
    [Claim.ORDER_ID, c.orderId],
    [Claim.CHECKOUT_NONCE, c.checkoutNonce],
    [Claim.COUNTER, c.counter],
    [Claim.TIME, c.time],
    [Claim.FLAGS, c.flags],
  ]);
}

/** Decodes the claims from a payload in the strict profile (signed data must be canonical). */
export function decodeClaims(payload: Uint8Array): Result<TokenClaims> {
  const d = decodeCbor(payload, { strict: true, maxDepth: 1, maxBytes: MAX_TOKEN_BYTES });
  if (!d.ok) return d;
  if (!(d.value instanceof CborMap)) return fail(Status.MALFORMED, 'claims are not a map');
  const f = new Fields(d.value);
  const claims: TokenClaims = {
    deviceId: f.bytes(Claim.DEVICE_ID, { len: Size.ID }),
    cardRef: f.text(Claim.CARD_REF, { max: Size.MAX_CARD_REF }),
    amount: f.uint(Claim.AMOUNT, { max: 1e12 }),
    currency: f.text(Claim.CURRENCY, { len: 3 }),
    merchantId: f.text(Claim.MERCHANT_ID, { max: Size.MAX_SHORT_TEXT }),
    terminalId: f.text(Claim.TERMINAL_ID, { max: Size.MAX_SHORT_TEXT }),
    orderId: f.text(Claim.ORDER_ID, { max: Size.MAX_ORDER_ID }),
    checkoutNonce: f.bytes(Claim.CHECKOUT_NONCE, { len: Size.NONCE }),
    counter: f.uint(Claim.COUNTER),
    time: f.uint(Claim.TIME),
    flags: f.uint(Claim.FLAGS, { max: 15 }),
  };
  // PROTOCOL.md §4: currency is an ISO 4217 code, as in the challenge (bodies.ts).
  if (!isCurrencyCode(claims.currency)) f.refuse('key ' + Claim.CURRENCY + ': not an ISO 4217 code');
  return f.done(claims);
}

/**
 * The protected header {1: -7}, deterministically encoded. No kid: the device id is claim 1
 * and the verifier knows the band from the challenge the token answers. (signToken writes
 * the same map out rather than calling this: it runs on the band, where each function costs
 * the heap ~190 bytes.)
 */
export function tokenProtectedHeader(encoder?: Encoder): Uint8Array {
  return (encoder || defaultEncoder)(addFields(new CborMap(), [[Header.ALG, ES256]]));
}

/**
 * Builds and signs a token. `sign` receives the Sig_structure bytes and returns a
 * 64-byte low-S ES256 signature (the band's secure element, or a provider on the host).
 */
export function signToken(
  claims: TokenClaims,
  sign: (toBeSigned: Uint8Array) => Uint8Array,
  encoder?: Encoder,
): Uint8Array {
  const enc = encoder || defaultEncoder;
  const protectedBytes = enc(addFields(new CborMap(), [[Header.ALG, ES256]])); // = tokenProtectedHeader(encoder)
  const payload = enc(claimsToCbor(claims));
  const signature = sign(sigStructure(protectedBytes, new Uint8Array(0), payload));
  return encodeSign1(protectedBytes, new CborMap(), payload, signature, true);
}
