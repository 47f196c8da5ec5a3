/**
 * Parsing and verification of band images (layout in ./header.ts and
 * docs/FIRMWARE-IMAGE.md). Images are untrusted bytes (downloaded, flashed, handed to the
 * simulator), so nothing here throws: every refusal is a Result with a status code.
 *
 * Host-side (build script, simulator, bridge): uses @noble for SHA-256 and P-256, which
 * run in Node and browsers alike. The firmware never imports this file.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Status } from '../status/codes.ts';
import { fail, ok, type Result } from '../status/error.ts';
import {
  IMAGE_HEADER_LENGTH,
  IMAGE_KEY_ID_LENGTH,
  IMAGE_SIGNATURE_LENGTH,
  decodeHeader,
  type ImageHeader,
} from './header.ts';

export interface ParsedImage {
  readonly header: ImageHeader;
  /** The code as text, ready to evaluate. */
  readonly code: string;
  readonly codeBytes: Uint8Array;
  /** header || code: exactly the bytes the signature covers. */
  readonly signedPart: Uint8Array;
  readonly signature: Uint8Array;
}

/** Key id of a vendor public key: the first 8 bytes of SHA-256 of its SEC1 uncompressed form. */
export function vendorKeyId(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).subarray(0, IMAGE_KEY_ID_LENGTH);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function toHex(a: Uint8Array): string {
  let s = '';
  for (let i = 0; i < a.length; i++) s += (a[i] < 16 ? '0' : '') + a[i].toString(16);
  return s;
}

/**
 * Structural checks: magic, format version, known flags, zero reserved byte, exact length
 * (no truncation, no trailing bytes), code hash, and valid UTF-8. Does not check the
 * signature: call verifyImage (or verifyImageBytes) before running the code.
 */
export function parseImage(bytes: Uint8Array): Result<ParsedImage> {
  if (!(bytes instanceof Uint8Array)) return fail(Status.MALFORMED, 'image is not a byte array');
  if (bytes.length < IMAGE_HEADER_LENGTH + IMAGE_SIGNATURE_LENGTH) {
    return fail(Status.MALFORMED, `image is ${bytes.length} bytes, shorter than header and signature`);
  }
  const decoded = decodeHeader(bytes);
  if ('problem' in decoded) {
    const status = decoded.problem === 'version' ? Status.UNSUPPORTED_VERSION : Status.MALFORMED;
    return fail(status, `image header: bad ${decoded.problem}`);
  }
  const { header } = decoded;
  // Compare in doubles: codeLength is a u32, so the sum cannot overflow.
  const expected = IMAGE_HEADER_LENGTH + header.codeLength + IMAGE_SIGNATURE_LENGTH;
  if (bytes.length !== expected) {
    return fail(Status.MALFORMED, `image is ${bytes.length} bytes, header says ${expected}`);
  }
  const codeEnd = IMAGE_HEADER_LENGTH + header.codeLength;
  const codeBytes = bytes.slice(IMAGE_HEADER_LENGTH, codeEnd);
  if (!equalBytes(sha256(codeBytes), header.codeSha256))
    return fail(Status.MALFORMED, 'code hash does not match header');
  let code: string;
  try {
    code = new TextDecoder('utf-8', { fatal: true }).decode(codeBytes);
  } catch {
    return fail(Status.MALFORMED, 'code is not valid UTF-8');
  }
  return ok({
    header,
    code,
    codeBytes,
    signedPart: bytes.slice(0, codeEnd),
    signature: bytes.slice(codeEnd),
  });
}

/**
 * Checks that `parsed` is signed by `vendorPublicKey` (65-byte SEC1 uncompressed P-256):
 * INVALID_KEY for a key that is not a curve point, BAD_SIGNATURE when the header names
 * another key or the ES256 signature (low-S required) does not verify.
 */
export function verifyImage(parsed: ParsedImage, vendorPublicKey: Uint8Array): Result<true> {
  if (!(vendorPublicKey instanceof Uint8Array) || vendorPublicKey.length !== 65 || vendorPublicKey[0] !== 0x04) {
    return fail(Status.INVALID_KEY, 'vendor key must be a 65-byte uncompressed P-256 point');
  }
  try {
    p256.Point.fromBytes(vendorPublicKey).assertValidity();
  } catch {
    return fail(Status.INVALID_KEY, 'vendor key is not a point on P-256');
  }
  const wantId = vendorKeyId(vendorPublicKey);
  if (!equalBytes(parsed.header.keyId, wantId)) {
    return fail(
      Status.BAD_SIGNATURE,
      `image names key id ${toHex(parsed.header.keyId)}, vendor key is ${toHex(wantId)}`,
    );
  }
  if (parsed.signature.length !== IMAGE_SIGNATURE_LENGTH)
    return fail(Status.BAD_SIGNATURE, 'signature is not 64 bytes');
  let valid = false;
  try {
    valid = p256.verify(parsed.signature, parsed.signedPart, vendorPublicKey, {
      prehash: true,
      lowS: true,
      format: 'compact',
    });
  } catch {
    valid = false; // malformed r/s (zero or >= n) throws in noble: same answer as a wrong signature
  }
  return valid ? ok(true) : fail(Status.BAD_SIGNATURE, 'image signature does not verify');
}

/** parseImage then verifyImage: the one call a loader needs before evaluating `code`. */
export function verifyImageBytes(bytes: Uint8Array, vendorPublicKey: Uint8Array): Result<ParsedImage> {
  const parsed = parseImage(bytes);
  if (!parsed.ok) return parsed;
  const verified = verifyImage(parsed.value, vendorPublicKey);
  return verified.ok ? parsed : verified;
}
