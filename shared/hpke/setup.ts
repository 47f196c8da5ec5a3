/**
 * SetupBaseS / SetupBaseR (RFC 9180 §5.1.1): the base-mode entry points. ES5-safe.
 * The suite defaults to wristpay's production suite (ChaCha20-Poly1305).
 */
import type { Bytes, CryptoProvider, KeyHandle } from '../crypto/provider.ts';
import { ok, type Result } from '../status/error.ts';
import { MODE_BASE, SUITE_CHACHA20_POLY1305, type HpkeSuite } from './suite.ts';
import { decap, encap } from './dhkem.ts';
import { keySchedule } from './key-schedule.ts';
import { createRecipientContext, createSenderContext, type RecipientContext, type SenderContext } from './context.ts';

export interface SenderSetup {
  /** The encapsulated key to send along (65 bytes). */
  readonly enc: Bytes;
  readonly ctx: SenderContext;
}

export interface SetupSOptions {
  /** Defaults to SUITE_CHACHA20_POLY1305. */
  suite?: HpkeSuite;
  /**
   * The ephemeral key, making Encap deterministic: vectors and tests pass
   * deriveKeyPair(p, ikmE) (host only). Generated when absent.
   */
  skE?: KeyHandle;
}

/**
 * SetupBaseS(pkR, info) (§5.1.1):
 *   shared_secret, enc = Encap(pkR)
 *   return enc, KeyScheduleS(mode_base, shared_secret, info, default_psk, default_psk_id)
 * INVALID_KEY when pkR is not a valid P-256 point.
 */
export function setupBaseS(p: CryptoProvider, pkR: Bytes, info: Bytes, options?: SetupSOptions): Result<SenderSetup> {
  const suite = options && options.suite ? options.suite : SUITE_CHACHA20_POLY1305;
  const e = encap(p, pkR, options ? options.skE : undefined);
  if (!e.ok) return e;
  const ks = keySchedule(p, suite, MODE_BASE, e.value.sharedSecret, info);
  if (!ks.ok) return ks;
  return ok({ enc: e.value.enc, ctx: createSenderContext(p, suite, ks.value) });
}

/**
 * SetupBaseR(enc, skR, info) (§5.1.1):
 *   shared_secret = Decap(enc, skR)
 *   return KeyScheduleR(mode_base, shared_secret, info, default_psk, default_psk_id)
 * `enc` is untrusted: INVALID_KEY when it is not a valid P-256 point.
 */
export function setupBaseR(
  p: CryptoProvider,
  enc: Bytes,
  skR: KeyHandle,
  info: Bytes,
  suite?: HpkeSuite,
): Result<RecipientContext> {
  const s = suite ? suite : SUITE_CHACHA20_POLY1305;
  const ss = decap(p, enc, skR);
  if (!ss.ok) return ss;
  const ks = keySchedule(p, s, MODE_BASE, ss.value, info);
  if (!ks.ok) return ks;
  return ok(createRecipientContext(p, s, ks.value));
}
