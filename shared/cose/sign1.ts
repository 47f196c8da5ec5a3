/**
 * COSE_Sign1 (RFC 9052 §4.2) with ES256 (RFC 9053 §2.1): structure, Sig_structure and
 * a generic verifier. ES5-safe: the band signs with this code over its HAL.
 */
import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { CborMap, CborTag, type CborValue } from '../cbor/types.ts';
import { Status } from '../status/codes.ts';
import { type Result, fail, ok } from '../status/error.ts';

/** CBOR tag of a COSE_Sign1 message (RFC 9052 §2). */
export const COSE_SIGN1_TAG = 18;
/** Header labels (RFC 9052 §3.1). */
export const Header = { ALG: 1, KID: 4 } as const;
/** ES256 = ECDSA w/ SHA-256 on P-256 (RFC 9053 §2.1). */
export const ES256 = -7;

export interface Sign1 {
  protectedBytes: Uint8Array;
  protectedHeader: CborMap;
  unprotected: CborMap;
  payload: Uint8Array;
  signature: Uint8Array;
  tagged: boolean;
}

const EMPTY = new Uint8Array(0);

/** Sig_structure for COSE_Sign1 (RFC 9052 §4.4), deterministically encoded. */
export function sigStructure(protectedBytes: Uint8Array, externalAad: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, externalAad, payload]);
}

/** Encodes a COSE_Sign1 array, tagged 18 unless `tagged` is false. */
export function encodeSign1(
  protectedBytes: Uint8Array,
  unprotected: CborMap,
  payload: Uint8Array,
  signature: Uint8Array,
  tagged?: boolean,
): Uint8Array {
  const arr: CborValue = [protectedBytes, unprotected, payload, signature];
  return encodeCbor(tagged === false ? arr : new CborTag(COSE_SIGN1_TAG, arr));
}

/**
 * Parses a COSE_Sign1 from untrusted bytes. `strict` applies the deterministic CBOR
 * profile (RFC 8949 §4.2.1) to the outer structure and the protected header.
 */
export function decodeSign1(bytes: Uint8Array, strict: boolean, maxBytes?: number): Result<Sign1> {
  const top = decodeCbor(bytes, { strict, maxDepth: 4, maxBytes: maxBytes || 4096 });
  if (!top.ok) return top;
  let value = top.value;
  let tagged = false;
  if (value instanceof CborTag) {
    if (value.tag !== COSE_SIGN1_TAG) return fail(Status.MALFORMED, 'tag ' + value.tag + ' is not COSE_Sign1');
    value = value.value;
    tagged = true;
  }
  if (!(value instanceof Array) || value.length !== 4)
    return fail(Status.MALFORMED, 'COSE_Sign1 is not a 4-element array');
  const protectedBytes = value[0];
  const unprotected = value[1];
  const payload = value[2];
  const signature = value[3];
  if (!(protectedBytes instanceof Uint8Array)) return fail(Status.MALFORMED, 'protected header is not a byte string');
  if (!(unprotected instanceof CborMap)) return fail(Status.MALFORMED, 'unprotected header is not a map');
  if (!(payload instanceof Uint8Array))
    return fail(Status.MALFORMED, 'payload is not a byte string (detached payloads unsupported)');
  if (!(signature instanceof Uint8Array)) return fail(Status.MALFORMED, 'signature is not a byte string');
  // RFC 9052 §3: a zero-length protected bstr stands for the empty map.
  let protectedHeader = new CborMap();
  if (protectedBytes.length > 0) {
    const ph = decodeCbor(protectedBytes, { strict, maxDepth: 2, maxBytes: 256 });
    if (!ph.ok) return fail(ph.status, 'protected header: ' + (ph.detail || ''));
    if (!(ph.value instanceof CborMap)) return fail(Status.MALFORMED, 'protected header is not a map');
    protectedHeader = ph.value;
  }
  return ok({ protectedBytes, protectedHeader, unprotected, payload, signature, tagged });
}

/** A signature verification function: (publicKey, message, signature) → valid. */
export type VerifyFn = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/**
 * Generic COSE_Sign1 ES256 verification, used for the cose-wg examples: accepts tagged
 * or untagged messages and alg in either header bucket (RFC 9052 §3), but alg must be
 * ES256 and appear only once. Returns the parsed message when the signature holds.
 */
export function verifySign1(
  verify: VerifyFn,
  bytes: Uint8Array,
  publicKey: Uint8Array,
  externalAad?: Uint8Array,
): Result<Sign1> {
  const parsed = decodeSign1(bytes, false);
  if (!parsed.ok) return parsed;
  const s = parsed.value;
  const inProtected = s.protectedHeader.has(Header.ALG);
  const inUnprotected = s.unprotected.has(Header.ALG);
  if (inProtected && inUnprotected) return fail(Status.MALFORMED, 'alg in both header buckets');
  const alg = inProtected ? s.protectedHeader.get(Header.ALG) : s.unprotected.get(Header.ALG);
  if (alg !== ES256) return fail(Status.MALFORMED, 'alg is not ES256');
  if (s.signature.length !== 64) return fail(Status.BAD_SIGNATURE, 'signature is not 64 bytes');
  // RFC 9052 §4.4: "If there are no protected attributes, a zero-length byte string is
  // used" for body_protected, even when the message carries the empty map as h'A0'
  // (cose-wg sign-pass-01 is signed that way).
  const bodyProtected = s.protectedHeader.size === 0 ? EMPTY : s.protectedBytes;
  const tbs = sigStructure(bodyProtected, externalAad || EMPTY, s.payload);
  if (!verify(publicKey, tbs, s.signature)) return fail(Status.BAD_SIGNATURE, 'signature does not verify');
  return ok(s);
}
