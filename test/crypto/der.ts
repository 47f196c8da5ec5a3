/**
 * A strict DER decoder for ECDSA-Sig-Value (SEC 1 §C.8, X.690 §10): SEQUENCE { r INTEGER,
 * s INTEGER }, converted to the 64-byte P1363 r || s the providers take. Test helper only:
 * wristpay never carries DER signatures (COSE ES256 is P1363).
 *
 * Refuses: any tag other than 30/02; indefinite or long-form lengths (a P-256 signature is
 * at most 72 bytes, so a long form is never minimal); lengths that overrun or leave
 * trailing bytes; empty, negative or non-minimal INTEGERs; values wider than 32 bytes.
 * Range checks (0 < r, s < n) are the provider's job.
 */
export function derToP1363(der: Uint8Array): Uint8Array | null {
  if (der.length < 2 || der[0] !== 0x30 || der[1] >= 0x80 || der[1] !== der.length - 2) return null;
  const out = new Uint8Array(64);
  let at = 2;
  for (let k = 0; k < 2; k++) {
    if (at + 2 > der.length || der[at] !== 0x02) return null;
    const len = der[at + 1];
    if (len === 0 || len >= 0x80 || at + 2 + len > der.length) return null;
    let v = der.subarray(at + 2, at + 2 + len);
    if (v[0] & 0x80) return null; // negative
    if (v[0] === 0 && len > 1) {
      if ((v[1] & 0x80) === 0) return null; // non-minimal leading zero
      v = v.subarray(1);
    }
    if (v.length > 32) return null;
    out.set(v, 32 * k + 32 - v.length);
    at += 2 + len;
  }
  return at === der.length ? out : null;
}
