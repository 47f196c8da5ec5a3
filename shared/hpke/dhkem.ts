/**
 * DHKEM(P-256, HKDF-SHA256), kem_id 0x0010 (RFC 9180 §4.1, §7.1). ES5-safe: runs on the
 * band. DeriveKeyPair is host-only and lives in derive-key-pair.ts, so the band's image
 * does not carry it.
 *
 * Every peer public key (pkR on Encap, enc on Decap) is checked on the curve before use
 * (§7.1.4 "Validation of Inputs and Outputs"); refusals are Results, never exceptions.
 */
import type { Bytes, CryptoProvider, KeyHandle } from '../crypto/provider.ts';
import { ascii, concat, i2osp } from '../crypto/bytes.ts';
import { Status } from '../status/codes.ts';
import { fail, ok, type Result } from '../status/error.ts';
import { KEM_P256_HKDF_SHA256 } from './suite.ts';
import { labeledExpand, labeledExtract } from './labeled-kdf.ts';

/** §7.1 Table 2: Nsecret, Nenc, Npk, Nsk for DHKEM(P-256, HKDF-SHA256). */
export const N_SECRET = 32;
export const N_ENC = 65;
export const N_PK = 65;
export const N_SK = 32;

/** suite_id = concat("KEM", I2OSP(kem_id, 2)) (§4.1). */
export const KEM_SUITE_ID: Bytes = concat(ascii('KEM'), i2osp(KEM_P256_HKDF_SHA256, 2));

export interface Encapsulation {
  readonly sharedSecret: Bytes;
  readonly enc: Bytes;
}

/**
 * SerializePublicKey (§7.1.1): the 65-byte uncompressed point, as the provider returns it.
 * Encap and Decap call the provider directly: each function costs the band's heap ~190 bytes.
 */
export function serializePublicKey(p: CryptoProvider, key: KeyHandle): Bytes {
  return p.p256PublicKey(key);
}

/**
 * DeserializePublicKey (§7.1.1) with the validation of §7.1.4: 65 bytes, 0x04 prefix,
 * on the curve. The provider does the curve check.
 */
export function deserializePublicKey(p: CryptoProvider, bytes: Bytes): Result<Bytes> {
  if (bytes.length !== N_PK || !p.p256IsValidPublic(bytes)) {
    return fail(Status.INVALID_KEY, 'HPKE: public key is not a valid P-256 point');
  }
  return ok(bytes);
}

/**
 * ExtractAndExpand(dh, kem_context) (§4.1):
 *   eae_prk = LabeledExtract("", "eae_prk", dh)
 *   shared_secret = LabeledExpand(eae_prk, "shared_secret", kem_context, Nsecret)
 */
export function extractAndExpand(p: CryptoProvider, dh: Bytes, kemContext: Bytes): Bytes {
  const eaePrk = labeledExtract(p, KEM_SUITE_ID, new Uint8Array(0), 'eae_prk', dh);
  return labeledExpand(p, KEM_SUITE_ID, eaePrk, 'shared_secret', kemContext, N_SECRET);
}

/**
 * Encap(pkR) (§4.1):
 *   skE, pkE = GenerateKeyPair()   (or the given skE: tests pass DeriveKeyPair(ikmE))
 *   dh = DH(skE, pkR); enc = SerializePublicKey(pkE)
 *   kem_context = concat(enc, pkRm); shared_secret = ExtractAndExpand(dh, kem_context)
 */
export function encap(p: CryptoProvider, pkR: Bytes, skE?: KeyHandle): Result<Encapsulation> {
  const checked = deserializePublicKey(p, pkR);
  if (!checked.ok) return checked;
  if (skE === undefined) skE = p.p256Generate();
  const dh = p.p256Ecdh(skE, pkR);
  if (dh === null) return fail(Status.INVALID_KEY, 'HPKE Encap: DH failed');
  const enc = p.p256PublicKey(skE); // SerializePublicKey(pkE)
  return ok({ sharedSecret: extractAndExpand(p, dh, concat(enc, pkR)), enc: enc });
}

/**
 * Decap(enc, skR) (§4.1):
 *   pkE = DeserializePublicKey(enc); dh = DH(skR, pkE)
 *   kem_context = concat(enc, SerializePublicKey(pk(skR)))
 *   shared_secret = ExtractAndExpand(dh, kem_context)
 * `enc` is untrusted: anything but a valid point gives INVALID_KEY.
 */
export function decap(p: CryptoProvider, enc: Bytes, skR: KeyHandle): Result<Bytes> {
  const checked = deserializePublicKey(p, enc);
  if (!checked.ok) return checked;
  const dh = p.p256Ecdh(skR, enc);
  if (dh === null) return fail(Status.INVALID_KEY, 'HPKE Decap: DH failed');
  return ok(extractAndExpand(p, dh, concat(enc, p.p256PublicKey(skR))));
}
