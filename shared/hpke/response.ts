/**
 * Responses sealed with a key exported from the request's HPKE context: the Oblivious
 * HTTP pattern (RFC 9458 §4.4), with a caller-chosen label in place of
 * "message/bhttp response". ES5-safe: the band seals its answers with this.
 *
 *   secret = context.Export(label, Nk)
 *   response_nonce = random(max(Nn, Nk))
 *   salt = concat(enc, response_nonce)
 *   prk = Extract(salt, secret)
 *   aead_key = Expand(prk, "key", Nk)
 *   aead_nonce = Expand(prk, "nonce", Nn)
 *   ct = Seal(aead_key, aead_nonce, "", response)
 *   enc_response = concat(response_nonce, ct)
 *
 * Extract/Expand are the suite's plain HKDF-SHA256 (RFC 9180 §4), not the labeled ones.
 * The `...WithSecret` forms take the exported secret instead of the context, for a side
 * that keeps only `responseSecret(ctx, label)` between request and response.
 */
import type { Bytes, CryptoProvider } from '../crypto/provider.ts';
import { ascii, concat } from '../crypto/bytes.ts';
import { Status } from '../status/codes.ts';
import { WristpayError, fail, ok, type Result } from '../status/error.ts';
import type { ExportContext } from './context.ts';
import type { HpkeSuite } from './suite.ts';

/** RFC 9458's own label, for interop tests; wristpay passes its own labels. */
export const OHTTP_RESPONSE_LABEL: Bytes = ascii('message/bhttp response');

const AEAD_TAG = 16;

/** The response_nonce length, max(Nn, Nk). (Written out below: each function costs the band's heap ~190 bytes.) */
export function responseNonceLength(suite: HpkeSuite): number {
  return Math.max(suite.nn, suite.nk);
}

/** secret = context.Export(label, Nk). (Written out below, like responseNonceLength.) */
export function responseSecret(ctx: ExportContext, label: Bytes): Bytes {
  return ctx.export(label, ctx.suite.nk);
}

function keyAndNonce(p: CryptoProvider, suite: HpkeSuite, secret: Bytes, enc: Bytes, responseNonce: Bytes) {
  const prk = p.hkdfExtract(concat(enc, responseNonce), secret);
  return { key: p.hkdfExpand(prk, ascii('key'), suite.nk), nonce: p.hkdfExpand(prk, ascii('nonce'), suite.nn) };
}

/** Seal with an exported secret; returns response_nonce || ct. Throws for export-only. */
export function sealResponseWithSecret(
  p: CryptoProvider,
  suite: HpkeSuite,
  secret: Bytes,
  enc: Bytes,
  plaintext: Bytes,
): Bytes {
  if (suite.aead === null) throw new WristpayError(Status.INTERNAL, 'sealResponse: export-only suite');
  const responseNonce = p.randomBytes(Math.max(suite.nn, suite.nk));
  const k = keyAndNonce(p, suite, secret, enc, responseNonce);
  return concat(responseNonce, p.aeadSeal(suite.aead, k.key, k.nonce, new Uint8Array(0), plaintext));
}

/** Open with an exported secret. MALFORMED when too short, DECRYPT_FAILED when it does not open. */
export function openResponseWithSecret(
  p: CryptoProvider,
  suite: HpkeSuite,
  secret: Bytes,
  enc: Bytes,
  encResponse: Bytes,
): Result<Bytes> {
  if (suite.aead === null) return fail(Status.INTERNAL, 'openResponse: export-only suite');
  const nlen = Math.max(suite.nn, suite.nk);
  if (encResponse.length < nlen + AEAD_TAG) return fail(Status.MALFORMED, 'HPKE response too short');
  const k = keyAndNonce(p, suite, secret, enc, encResponse.subarray(0, nlen));
  const pt = p.aeadOpen(suite.aead, k.key, k.nonce, new Uint8Array(0), encResponse.subarray(nlen));
  return pt === null ? fail(Status.DECRYPT_FAILED) : ok(pt);
}

/**
 * Seal `plaintext` as the answer to the request that set up `ctx` (either role: the key
 * comes from Export). Returns response_nonce || ct.
 */
export function sealResponse(p: CryptoProvider, ctx: ExportContext, enc: Bytes, plaintext: Bytes, label: Bytes): Bytes {
  return sealResponseWithSecret(p, ctx.suite, ctx.export(label, ctx.suite.nk), enc, plaintext);
}

/** Open an enc_response made by `sealResponse` on the other side of the same exchange. */
export function openResponse(
  p: CryptoProvider,
  ctx: ExportContext,
  enc: Bytes,
  encResponse: Bytes,
  label: Bytes,
): Result<Bytes> {
  if (ctx.suite.aead === null) return fail(Status.INTERNAL, 'openResponse: export-only suite');
  return openResponseWithSecret(p, ctx.suite, ctx.export(label, ctx.suite.nk), enc, encResponse);
}
