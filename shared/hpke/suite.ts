/**
 * HPKE algorithm identifiers and sizes (RFC 9180 §7) for the one KEM and KDF wristpay uses.
 * ES5-safe: runs on the band.
 *
 * Production suite: DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305
 * (docs/ARCHITECTURE.md, "The envelope"). AES-128-GCM and export-only exist for the RFC 9180 vectors and
 * interop tests.
 */
import type { AeadAlg, Bytes } from '../crypto/provider.ts';
import { ascii, concat, i2osp } from '../crypto/bytes.ts';

/** RFC 9180 §7.1 Table 2. */
export const KEM_P256_HKDF_SHA256 = 0x0010;
/** RFC 9180 §7.2 Table 3. */
export const KDF_HKDF_SHA256 = 0x0001;
/** RFC 9180 §7.3 Table 5. */
export const AEAD_AES_128_GCM = 0x0001;
export const AEAD_CHACHA20_POLY1305 = 0x0003;
export const AEAD_EXPORT_ONLY = 0xffff;

/** RFC 9180 §5 Table 1 (auth modes 2 and 3 are not implemented). */
export const MODE_BASE = 0x00;
export const MODE_PSK = 0x01;

/** Nh of HKDF-SHA256 (§7.2). */
export const NH = 32;

export interface HpkeSuite {
  readonly kemId: number;
  readonly kdfId: number;
  readonly aeadId: number;
  /** The provider's AEAD, or null for the export-only suite (§5.3). */
  readonly aead: AeadAlg | null;
  /** Nk and Nn (§7.3); 0 for export-only. */
  readonly nk: number;
  readonly nn: number;
  readonly nh: number;
  /** suite_id = concat("HPKE", I2OSP(kem_id, 2), I2OSP(kdf_id, 2), I2OSP(aead_id, 2)) (§5.1). */
  readonly suiteId: Bytes;
}

function makeSuite(aeadId: number, aead: AeadAlg | null, nk: number, nn: number): HpkeSuite {
  return {
    kemId: KEM_P256_HKDF_SHA256,
    kdfId: KDF_HKDF_SHA256,
    aeadId: aeadId,
    aead: aead,
    nk: nk,
    nn: nn,
    nh: NH,
    suiteId: concat(ascii('HPKE'), i2osp(KEM_P256_HKDF_SHA256, 2), i2osp(KDF_HKDF_SHA256, 2), i2osp(aeadId, 2)),
  };
}

/** The production suite. */
export const SUITE_CHACHA20_POLY1305: HpkeSuite = makeSuite(AEAD_CHACHA20_POLY1305, 'chacha20-poly1305', 32, 12);
export const SUITE_AES_128_GCM: HpkeSuite = makeSuite(AEAD_AES_128_GCM, 'aes-128-gcm', 16, 12);
export const SUITE_EXPORT_ONLY: HpkeSuite = makeSuite(AEAD_EXPORT_ONLY, null, 0, 0);

/** The suite for (kem, kdf, aead) ids, or null when this implementation does not offer it. */
export function hpkeSuite(kemId: number, kdfId: number, aeadId: number): HpkeSuite | null {
  if (kemId !== KEM_P256_HKDF_SHA256 || kdfId !== KDF_HKDF_SHA256) return null;
  if (aeadId === AEAD_CHACHA20_POLY1305) return SUITE_CHACHA20_POLY1305;
  if (aeadId === AEAD_AES_128_GCM) return SUITE_AES_128_GCM;
  if (aeadId === AEAD_EXPORT_ONLY) return SUITE_EXPORT_ONLY;
  return null;
}
