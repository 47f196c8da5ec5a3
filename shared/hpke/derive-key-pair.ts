/**
 * DeriveKeyPair (RFC 9180 §7.1.3) for DHKEM(P-256, HKDF-SHA256), HOST ONLY: it needs the
 * provider's p256ImportPrivate, and the band's keys never leave its secure element. Tests
 * and vectors use it for skRm/skEm and a deterministic Encap (`encap(p, pkR, skE)`). Kept
 * out of dhkem.ts so the band's image, which bundles Encap, does not carry it.
 */
import type { Bytes, CryptoProvider, KeyHandle } from '../crypto/provider.ts';
import { compareBE, fromHex, i2osp, isZero } from '../crypto/bytes.ts';
import { Status } from '../status/codes.ts';
import { WristpayError } from '../status/error.ts';
import { KEM_SUITE_ID, N_SK } from './dhkem.ts';
import { labeledExpand, labeledExtract } from './labeled-kdf.ts';

/** The order n of P-256, for the DeriveKeyPair rejection loop (§7.1.3). */
const ORDER = fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
/** §7.1.3: bitmask is 0xff for P-256. */
const BITMASK = 0xff;

/**
 * The scalar of DeriveKeyPair(ikm) (§7.1.3), HOST ONLY (the band's keys never leave its
 * secure element; this exists for DeriveKeyPair and the vectors' skRm/skEm):
 *   dkp_prk = LabeledExtract("", "dkp_prk", ikm)
 *   repeat: bytes = LabeledExpand(dkp_prk, "candidate", I2OSP(counter, 1), Nsk)
 *           bytes[0] &= bitmask; sk = OS2IP(bytes)   until 0 < sk < order (≤ 256 tries)
 * Throws (configuration error, not untrusted input) when ikm is shorter than Nsk or
 * after 256 rejected candidates (DeriveKeyPairError; probability about 2^-8192).
 */
export function deriveScalar(p: CryptoProvider, ikm: Bytes): Bytes {
  if (ikm.length < N_SK) throw new WristpayError(Status.MALFORMED, 'DeriveKeyPair: ikm shorter than Nsk');
  const dkpPrk = labeledExtract(p, KEM_SUITE_ID, new Uint8Array(0), 'dkp_prk', ikm);
  for (let counter = 0; counter <= 255; counter++) {
    const bytes = labeledExpand(p, KEM_SUITE_ID, dkpPrk, 'candidate', i2osp(counter, 1), N_SK);
    bytes[0] = bytes[0] & BITMASK;
    if (!isZero(bytes) && compareBE(bytes, ORDER) < 0) return bytes;
  }
  throw new WristpayError(Status.INTERNAL, 'DeriveKeyPairError');
}

/** DeriveKeyPair(ikm) (§7.1.3), HOST ONLY: needs the provider's p256ImportPrivate. */
export function deriveKeyPair(p: CryptoProvider, ikm: Bytes): KeyHandle {
  if (!p.p256ImportPrivate) throw new WristpayError(Status.INTERNAL, 'DeriveKeyPair needs p256ImportPrivate');
  const key = p.p256ImportPrivate(deriveScalar(p, ikm));
  if (key === null) throw new WristpayError(Status.INTERNAL, 'DeriveKeyPair: provider refused the scalar');
  return key;
}
