/**
 * The payment-token verifier: straight guard clauses, one step of the profile each,
 * returning a typed verdict (the style of SimpleWebAuthn's verifiers). The order is
 * the order of trust: structure, header, key, signature, then the claims it signed.
 */
import type { CborMap } from '../cbor/types.ts';
import { constantTimeEqual } from '../crypto/bytes.ts';
import type { CryptoProvider } from '../crypto/provider.ts';
import { TokenFlag } from '../protocol/constants.ts';
import { Status, type StatusCode } from '../status/codes.ts';
import { ES256, Header, decodeSign1, sigStructure } from './sign1.ts';
import { MAX_TOKEN_BYTES, type TokenClaims, decodeClaims } from './token.ts';

/** What the checkout expects of a token for one trade; undefined fields are not checked. */
export interface ExpectedTrade {
  deviceId: Uint8Array;
  amount: number;
  currency: string;
  merchantId: string;
  terminalId: string;
  orderId: string;
  checkoutNonce: Uint8Array;
  cardRef?: string;
  /** The last counter accepted for this card; the token's must be strictly greater. */
  lastCounter?: number;
  /** Above the password-free limits the token must carry the confirmed flag. */
  requireConfirmed?: boolean;
  /** Express transit payments need only worn; all others need worn and unlocked. */
  express?: boolean;
}

export type TokenVerdict =
  | { verified: true; claims: TokenClaims }
  | { verified: false; status: StatusCode; step: string };

function refuse(status: StatusCode, step: string): TokenVerdict {
  return { verified: false, status, step };
}

function isExactlyAlg(h: CborMap): boolean {
  return h.size === 1 && h.get(Header.ALG) === ES256;
}

export function verifyToken(
  provider: CryptoProvider,
  token: Uint8Array,
  publicKey: Uint8Array,
  expected: ExpectedTrade,
): TokenVerdict {
  if (!(token instanceof Uint8Array) || token.length > MAX_TOKEN_BYTES) return refuse(Status.OVERSIZE, 'size');
  const parsed = decodeSign1(token, true, MAX_TOKEN_BYTES);
  if (!parsed.ok) return refuse(parsed.status, 'structure');
  const s = parsed.value;
  if (!s.tagged) return refuse(Status.MALFORMED, 'tag');
  if (!isExactlyAlg(s.protectedHeader)) return refuse(Status.MALFORMED, 'protected-header');
  if (s.unprotected.size !== 0) return refuse(Status.MALFORMED, 'unprotected-header');
  if (!provider.p256IsValidPublic(publicKey)) return refuse(Status.INVALID_KEY, 'key');
  if (s.signature.length !== 64) return refuse(Status.BAD_SIGNATURE, 'signature-length');
  const tbs = sigStructure(s.protectedBytes, new Uint8Array(0), s.payload);
  if (!provider.p256Verify(publicKey, tbs, s.signature)) return refuse(Status.BAD_SIGNATURE, 'signature');
  const decoded = decodeClaims(s.payload);
  if (!decoded.ok) return refuse(decoded.status, 'claims');
  const c = decoded.value;
  // No kid names the band: the caller took its key from the challenge, and the signed device id must agree.
  if (!constantTimeEqual(c.deviceId, expected.deviceId)) return refuse(Status.CLAIM_MISMATCH, 'deviceId');
  if (c.amount !== expected.amount) return refuse(Status.CLAIM_MISMATCH, 'amount');
  if (c.currency !== expected.currency) return refuse(Status.CLAIM_MISMATCH, 'currency');
  if (c.merchantId !== expected.merchantId) return refuse(Status.CLAIM_MISMATCH, 'merchantId');
  if (c.terminalId !== expected.terminalId) return refuse(Status.CLAIM_MISMATCH, 'terminalId');
  if (c.orderId !== expected.orderId) return refuse(Status.CLAIM_MISMATCH, 'orderId');
  if (!constantTimeEqual(c.checkoutNonce, expected.checkoutNonce))
    return refuse(Status.CLAIM_MISMATCH, 'checkoutNonce');
  if (expected.cardRef !== undefined && c.cardRef !== expected.cardRef) return refuse(Status.CLAIM_MISMATCH, 'cardRef');
  if (expected.lastCounter !== undefined && !(c.counter > expected.lastCounter))
    return refuse(Status.COUNTER_NOT_INCREASING, 'counter');
  if (!(c.flags & TokenFlag.WORN)) return refuse(Status.NOT_WORN, 'flags-worn');
  const express = (c.flags & TokenFlag.EXPRESS) !== 0;
  if (express !== (expected.express === true)) return refuse(Status.CLAIM_MISMATCH, 'flags-express');
  if (!express && !(c.flags & TokenFlag.UNLOCKED)) return refuse(Status.LOCKED, 'flags-unlocked');
  if (expected.requireConfirmed && !(c.flags & TokenFlag.CONFIRMED))
    return refuse(Status.LIMIT_EXCEEDED, 'flags-confirmed');
  return { verified: true, claims: c };
}
