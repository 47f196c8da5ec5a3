/**
 * The HPKE key schedule (RFC 9180 §5.1) for mode_base and mode_psk. ES5-safe.
 *
 * Production uses mode_base only; mode_psk is here because it costs three lines and lets
 * the RFC 9180 psk vectors check this code too.
 */
import type { Bytes, CryptoProvider } from '../crypto/provider.ts';
import { concat, i2osp } from '../crypto/bytes.ts';
import { Status } from '../status/codes.ts';
import { fail, ok, type Result } from '../status/error.ts';
import { MODE_BASE, MODE_PSK, type HpkeSuite } from './suite.ts';
import { labeledExpand, labeledExtract } from './labeled-kdf.ts';

export interface KeyScheduleOutput {
  readonly mode: number;
  /** Empty for the export-only suite (Nk = Nn = 0). */
  readonly key: Bytes;
  readonly baseNonce: Bytes;
  readonly exporterSecret: Bytes;
  /** Exposed for the vectors (key_schedule_context, secret). */
  readonly keyScheduleContext: Bytes;
  readonly secret: Bytes;
}

/**
 * KeySchedule(mode, shared_secret, info, psk, psk_id) (§5.1):
 *   psk_id_hash = LabeledExtract("", "psk_id_hash", psk_id)
 *   info_hash = LabeledExtract("", "info_hash", info)
 *   key_schedule_context = concat(mode, psk_id_hash, info_hash)
 *   secret = LabeledExtract(shared_secret, "secret", psk)
 *   key = LabeledExpand(secret, "key", key_schedule_context, Nk)
 *   base_nonce = LabeledExpand(secret, "base_nonce", key_schedule_context, Nn)
 *   exporter_secret = LabeledExpand(secret, "exp", key_schedule_context, Nh)
 *
 * It starts with VerifyPSKInputs (§5.1): psk and psk_id are both given or both empty, and
 * given exactly in the psk modes. (RFC 9180 §9.5 also asks for a psk of at least 32 bytes
 * of entropy; that is the caller's policy and not checked here.) Inline, not a helper: each
 * function costs the band's heap ~190 bytes.
 */
export function keySchedule(
  p: CryptoProvider,
  suite: HpkeSuite,
  mode: number,
  sharedSecret: Bytes,
  info: Bytes,
  psk?: Bytes,
  pskId?: Bytes,
): Result<KeyScheduleOutput> {
  const pskBytes = psk === undefined ? new Uint8Array(0) : psk;
  const pskIdBytes = pskId === undefined ? new Uint8Array(0) : pskId;
  if (mode !== MODE_BASE && mode !== MODE_PSK) return fail(Status.UNSUPPORTED_VERSION, 'HPKE: unsupported mode');
  const gotPsk = pskBytes.length !== 0;
  if (gotPsk !== (pskIdBytes.length !== 0)) return fail(Status.MALFORMED, 'HPKE: inconsistent PSK inputs');
  if (mode === MODE_BASE && gotPsk) return fail(Status.MALFORMED, 'HPKE: PSK input provided when not needed');
  if (mode === MODE_PSK && !gotPsk) return fail(Status.MALFORMED, 'HPKE: missing required PSK input');
  const sid = suite.suiteId;
  const none = new Uint8Array(0);
  const pskIdHash = labeledExtract(p, sid, none, 'psk_id_hash', pskIdBytes);
  const infoHash = labeledExtract(p, sid, none, 'info_hash', info);
  const ksContext = concat(i2osp(mode, 1), pskIdHash, infoHash);
  const secret = labeledExtract(p, sid, sharedSecret, 'secret', pskBytes);
  // §5.1: for the export-only AEAD, key and base_nonce are not computed.
  const exportOnly = suite.aead === null;
  return ok({
    mode: mode,
    key: exportOnly ? none : labeledExpand(p, sid, secret, 'key', ksContext, suite.nk),
    baseNonce: exportOnly ? none : labeledExpand(p, sid, secret, 'base_nonce', ksContext, suite.nn),
    exporterSecret: labeledExpand(p, sid, secret, 'exp', ksContext, suite.nh),
    keyScheduleContext: ksContext,
    secret: secret,
  });
}
