/**
 * The checkout's side of the HPKE envelope (docs/PROTOCOL.md §3), over shared/hpke:
 * hellos opened with the checkout key, challenges sealed to a band key, answers opened
 * and results sealed with keys exported from the challenge's context (RFC 9458 §4.4).
 *
 * Why secrets instead of contexts: an answer may arrive after a restart, or at another
 * checkout instance. So when a challenge is sealed, the two exports its exchange will
 * need — Export("wristpay/1 answer", Nk) and Export("wristpay/1 result", Nk) — are taken
 * and stored with the challenge; the `...WithSecret` forms then derive exactly what the
 * context would have.
 */
import { ascii } from '../../shared/crypto/bytes.ts';
import type { CryptoProvider, KeyHandle } from '../../shared/crypto/provider.ts';
import {
  SUITE_CHACHA20_POLY1305,
  openResponseWithSecret,
  responseSecret,
  sealResponseWithSecret,
  setupBaseR,
  setupBaseS,
} from '../../shared/hpke/index.ts';
import { Label } from '../../shared/protocol/constants.ts';
import { Status } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';

const SUITE = SUITE_CHACHA20_POLY1305;
const EMPTY = new Uint8Array(0);

export interface SealedToBand {
  enc: Uint8Array;
  ct: Uint8Array;
  answerSecret: Uint8Array;
  resultSecret: Uint8Array;
}

/** Seals a signed challenge to the band's HPKE key and keeps the exports its answer needs. */
export function sealToBand(p: CryptoProvider, bandHpkeKey: Uint8Array, plaintext: Uint8Array): SealedToBand {
  const s = setupBaseS(p, bandHpkeKey, ascii(Label.CHALLENGE), { suite: SUITE });
  // The band key was validated at enrollment; failing here is a bug, not input.
  if (!s.ok) throw new WristpayError(Status.INTERNAL, 'HPKE setup to an enrolled band key failed');
  return {
    enc: s.value.enc,
    ct: s.value.ctx.seal(EMPTY, plaintext),
    answerSecret: responseSecret(s.value.ctx, ascii(Label.ANSWER)),
    resultSecret: responseSecret(s.value.ctx, ascii(Label.RESULT)),
  };
}

/** Opens a hello's ciphertext with the checkout's HPKE key; null when it does not open. */
export function openHello(
  p: CryptoProvider,
  checkoutHpke: KeyHandle,
  enc: Uint8Array,
  ct: Uint8Array,
): Uint8Array | null {
  const r = setupBaseR(p, enc, checkoutHpke, ascii(Label.HELLO), SUITE);
  if (!r.ok) return null;
  const pt = r.value.open(EMPTY, ct);
  return pt.ok ? pt.value : null;
}

/** Opens the band's ANSWER (sealed response) to a challenge; null when it does not open. */
export function openResponse(
  p: CryptoProvider,
  enc: Uint8Array,
  answerSecret: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | null {
  const r = openResponseWithSecret(p, SUITE, answerSecret, enc, sealed);
  return r.ok ? r.value : null;
}

/** Seals a RESULT body for the band that received the challenge. */
export function sealResponse(
  p: CryptoProvider,
  enc: Uint8Array,
  resultSecret: Uint8Array,
  body: Uint8Array,
): Uint8Array {
  return sealResponseWithSecret(p, SUITE, resultSecret, enc, body);
}
