/**
 * HPKE encryption contexts (RFC 9180 §5.2) and the secret export interface (§5.3).
 * ES5-safe: plain closures, no classes, no BigInt.
 *
 * The sequence number is a JS number. RFC 9180 allows up to 2^(8*Nn) − 1 messages; a
 * double counts exactly to 2^53 − 1, so this implementation stops there (far below the RFC
 * limit, far above any real use: one context carries one challenge in wristpay).
 */
import type { Bytes, CryptoProvider } from '../crypto/provider.ts';
import { MAX_SAFE_INT, i2osp, xor } from '../crypto/bytes.ts';
import { Status } from '../status/codes.ts';
import { WristpayError, fail, ok, type Result } from '../status/error.ts';
import type { HpkeSuite } from './suite.ts';
import type { KeyScheduleOutput } from './key-schedule.ts';
import { labeledExpand } from './labeled-kdf.ts';

/** What both roles can do: Context.Export (§5.3). */
export interface ExportContext {
  readonly suite: HpkeSuite;
  /** Context.Export(exporter_context, L) (§5.3); throws an Error for L > 255 * Nh. */
  export(exporterContext: Bytes, length: number): Bytes;
}

/** ContextS (§5.2): seals requests. */
export interface SenderContext extends ExportContext {
  /** The sequence number of the next message. */
  seq(): number;
  /**
   * ContextS.Seal(aad, pt) (§5.2). Throws WristpayError (INTERNAL) on an export-only
   * suite or when the sequence number is exhausted: programming errors, not input.
   */
  seal(aad: Bytes, plaintext: Bytes): Bytes;
}

/** ContextR (§5.2): opens requests. */
export interface RecipientContext extends ExportContext {
  /** The sequence number of the next message. */
  seq(): number;
  /**
   * ContextR.Open(aad, ct) (§5.2). DECRYPT_FAILED when the tag does not verify; the
   * sequence number is then NOT advanced, so a forged message cannot desynchronise us.
   */
  open(aad: Bytes, ciphertext: Bytes): Result<Bytes>;
}

/**
 * ComputeNonce(seq) = base_nonce XOR I2OSP(seq, Nn) (§5.2). Seal and Open below write it
 * out, as they do IncrementSeq: each function the band carries costs its heap ~190 bytes.
 */
export function computeNonce(baseNonce: Bytes, seq: number): Bytes {
  return xor(baseNonce, i2osp(seq, baseNonce.length));
}

/**
 * IncrementSeq (§5.2): the next sequence number, or -1 (MessageLimitReachedError) when
 * `seq` is at this implementation's limit, 2^53 − 1 (the RFC's is 2^96 − 1 for Nn = 12).
 * As in the RFC, a message at the limit itself is refused: 0 .. limit − 1 are usable.
 */
export function incrementSeq(seq: number): number {
  return seq >= MAX_SAFE_INT ? -1 : seq + 1;
}

function exporter(p: CryptoProvider, suite: HpkeSuite, ks: KeyScheduleOutput) {
  return function (exporterContext: Bytes, length: number): Bytes {
    // §5.3: Export(exporter_context, L) = LabeledExpand(exporter_secret, "sec", exporter_context, L)
    if (length < 0 || length > 255 * suite.nh) throw new Error('HPKE Export: L out of range');
    return labeledExpand(p, suite.suiteId, ks.exporterSecret, 'sec', exporterContext, length);
  };
}

/** ContextS over the output of KeyScheduleS (§5.1). */
export function createSenderContext(p: CryptoProvider, suite: HpkeSuite, ks: KeyScheduleOutput): SenderContext {
  let seq = 0;
  return {
    suite: suite,
    seq: function (): number {
      return seq;
    },
    seal: function (aad: Bytes, plaintext: Bytes): Bytes {
      if (suite.aead === null) throw new WristpayError(Status.INTERNAL, 'HPKE: export-only suite cannot Seal');
      // IncrementSeq's check, before sealing (§5.2).
      if (seq >= MAX_SAFE_INT) throw new WristpayError(Status.INTERNAL, 'HPKE: MessageLimitReachedError');
      const ct = p.aeadSeal(suite.aead, ks.key, xor(ks.baseNonce, i2osp(seq, ks.baseNonce.length)), aad, plaintext);
      seq++;
      return ct;
    },
    export: exporter(p, suite, ks),
  };
}

/** ContextR over the output of KeyScheduleR (§5.1). */
export function createRecipientContext(p: CryptoProvider, suite: HpkeSuite, ks: KeyScheduleOutput): RecipientContext {
  let seq = 0;
  return {
    suite: suite,
    seq: function (): number {
      return seq;
    },
    open: function (aad: Bytes, ciphertext: Bytes): Result<Bytes> {
      if (suite.aead === null) return fail(Status.INTERNAL, 'HPKE: export-only suite cannot Open');
      // IncrementSeq's check, before opening (§5.2).
      if (seq >= MAX_SAFE_INT) return fail(Status.INTERNAL, 'HPKE: MessageLimitReachedError');
      const pt = p.aeadOpen(suite.aead, ks.key, xor(ks.baseNonce, i2osp(seq, ks.baseNonce.length)), aad, ciphertext);
      if (pt === null) return fail(Status.DECRYPT_FAILED);
      seq++;
      return ok(pt);
    },
    export: exporter(p, suite, ks),
  };
}
