/**
 * LabeledExtract / LabeledExpand (RFC 9180 §4): HKDF with the "HPKE-v1" version label and
 * a suite_id bound into every derivation. ES5-safe: runs on the band.
 */
import type { Bytes, CryptoProvider } from '../crypto/provider.ts';
import { ascii, concat, i2osp } from '../crypto/bytes.ts';

const HPKE_V1 = ascii('HPKE-v1');

/** LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm). */
export function labeledExtract(p: CryptoProvider, suiteId: Bytes, salt: Bytes, label: string, ikm: Bytes): Bytes {
  return p.hkdfExtract(salt, concat(HPKE_V1, suiteId, ascii(label), ikm));
}

/**
 * LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id ||
 * label || info, L). L must fit in two bytes (and HKDF caps it at 255 * Nh anyway).
 */
export function labeledExpand(
  p: CryptoProvider,
  suiteId: Bytes,
  prk: Bytes,
  label: string,
  info: Bytes,
  length: number,
): Bytes {
  if (length > 0xffff) throw new Error('LabeledExpand: L does not fit in 2 bytes');
  return p.hkdfExpand(prk, concat(i2osp(length, 2), HPKE_V1, suiteId, ascii(label), info), length);
}
