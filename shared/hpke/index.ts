/**
 * HPKE (RFC 9180) over the CryptoProvider: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256,
 * ChaCha20-Poly1305 (production) / AES-128-GCM / export-only, base mode (psk mode in the
 * key schedule for the vectors), plus the RFC 9458 response pattern. ES5-safe.
 */
export {
  KEM_P256_HKDF_SHA256,
  KDF_HKDF_SHA256,
  AEAD_AES_128_GCM,
  AEAD_CHACHA20_POLY1305,
  AEAD_EXPORT_ONLY,
  MODE_BASE,
  MODE_PSK,
  SUITE_CHACHA20_POLY1305,
  SUITE_AES_128_GCM,
  SUITE_EXPORT_ONLY,
  hpkeSuite,
  type HpkeSuite,
} from './suite.ts';
export { labeledExtract, labeledExpand } from './labeled-kdf.ts';
export {
  N_ENC,
  N_PK,
  N_SK,
  N_SECRET,
  KEM_SUITE_ID,
  serializePublicKey,
  deserializePublicKey,
  extractAndExpand,
  encap,
  decap,
  type Encapsulation,
} from './dhkem.ts';
export { deriveKeyPair, deriveScalar } from './derive-key-pair.ts';
export { keySchedule, type KeyScheduleOutput } from './key-schedule.ts';
export {
  createSenderContext,
  createRecipientContext,
  computeNonce,
  incrementSeq,
  type ExportContext,
  type SenderContext,
  type RecipientContext,
} from './context.ts';
export { setupBaseS, setupBaseR, type SenderSetup, type SetupSOptions } from './setup.ts';
export {
  sealResponse,
  openResponse,
  sealResponseWithSecret,
  openResponseWithSecret,
  responseSecret,
  responseNonceLength,
  OHTTP_RESPONSE_LABEL,
} from './response.ts';
