/**
 * HPKE behaviour the vectors do not show: refusals of untrusted input as status codes,
 * the sequence-number limit (RFC 9180 §5.2), PSK input rules (§5.1), export bounds
 * (§5.3), and the response pattern (RFC 9458 §4.4) under tampering.
 */
import { describe, expect, it } from 'vitest';
import { ascii, fromHex } from '../../shared/crypto/bytes.ts';
import { Status } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import {
  MODE_BASE,
  MODE_PSK,
  SUITE_AES_128_GCM,
  SUITE_CHACHA20_POLY1305,
  SUITE_EXPORT_ONLY,
  computeNonce,
  createRecipientContext,
  createSenderContext,
  decap,
  encap,
  hpkeSuite,
  incrementSeq,
  keySchedule,
  openResponse,
  responseNonceLength,
  sealResponse,
  setupBaseR,
  setupBaseS,
} from '../../shared/hpke/index.ts';
import { providers } from '../crypto/providers.ts';

const EMPTY = new Uint8Array(0);
const info = ascii('wristpay/1 test');

describe('sequence numbers (§5.2)', () => {
  it('XORs the big-endian seq into the low bytes of base_nonce, including seq > 255 and > 2^32', () => {
    const base = fromHex('00112233445566778899aabb');
    expect(computeNonce(base, 0)).toEqual(base);
    expect(computeNonce(base, 1)).toEqual(fromHex('00112233445566778899aaba'));
    expect(computeNonce(base, 256)).toEqual(fromHex('00112233445566778899abbb'));
    expect(computeNonce(base, 2 ** 40)).toEqual(fromHex('00112233445567778899aabb'));
  });
  it('stops at 2^53 − 1 (MessageLimitReached) instead of wrapping or losing precision', () => {
    expect(incrementSeq(0)).toBe(1);
    expect(incrementSeq(Number.MAX_SAFE_INTEGER - 1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(incrementSeq(Number.MAX_SAFE_INTEGER)).toBe(-1);
  });
});

describe('hpkeSuite', () => {
  it('knows the three suites and nothing else', () => {
    expect(hpkeSuite(0x10, 1, 3)).toBe(SUITE_CHACHA20_POLY1305);
    expect(hpkeSuite(0x10, 1, 1)).toBe(SUITE_AES_128_GCM);
    expect(hpkeSuite(0x10, 1, 0xffff)).toBe(SUITE_EXPORT_ONLY);
    expect(hpkeSuite(0x20, 1, 3)).toBeNull();
    expect(hpkeSuite(0x10, 2, 3)).toBeNull();
    expect(hpkeSuite(0x10, 1, 2)).toBeNull();
  });
});

describe.each(providers)('HPKE refusals: %s', (_name, p) => {
  const skR = p.p256Generate();
  const pkR = p.p256PublicKey(skR);

  function pair(suite = SUITE_CHACHA20_POLY1305) {
    const s = setupBaseS(p, pkR, info, { suite });
    if (!s.ok) throw new Error('setup');
    const r = setupBaseR(p, s.value.enc, skR, info, suite);
    if (!r.ok) throw new Error('setup');
    return { enc: s.value.enc, s: s.value.ctx, r: r.value };
  }

  it('round-trips with the production suite by default', () => {
    const { s, r } = pair();
    expect(s.suite).toBe(SUITE_CHACHA20_POLY1305);
    const o = r.open(EMPTY, s.seal(EMPTY, ascii('hello')));
    expect(o.ok && o.value).toEqual(ascii('hello'));
  });

  it('refuses an enc or pkR that is not a valid point with INVALID_KEY', () => {
    const good = pair().enc;
    const offCurve = good.slice();
    offCurve[64] ^= 1;
    for (const bad of [offCurve, good.subarray(0, 64), new Uint8Array(65), fromHex('00'), EMPTY]) {
      const r = setupBaseR(p, bad, skR, info);
      expect(r.ok || r.status).toBe(Status.INVALID_KEY);
      const d = decap(p, bad, skR);
      expect(d.ok || d.status).toBe(Status.INVALID_KEY);
      const s = setupBaseS(p, bad, info);
      expect(s.ok || s.status).toBe(Status.INVALID_KEY);
      const e = encap(p, bad);
      expect(e.ok || e.status).toBe(Status.INVALID_KEY);
    }
  });

  it('a flipped ciphertext, aad, info or wrong key gives DECRYPT_FAILED and does not advance seq', () => {
    const { enc, s, r } = pair();
    const ct = s.seal(ascii('aad'), ascii('payload'));
    for (let i = 0; i < ct.length; i++) {
      const bad = ct.slice();
      bad[i] ^= 1;
      const o = r.open(ascii('aad'), bad);
      expect(o.ok || o.status).toBe(Status.DECRYPT_FAILED);
    }
    expect(r.open(ascii('aaD'), ct).ok).toBe(false);
    expect(r.seq()).toBe(0);
    expect(r.open(ascii('aad'), ct).ok).toBe(true);
    expect(r.seq()).toBe(1);
    // Replaying the same ciphertext fails: the nonce moved on.
    expect(r.open(ascii('aad'), ct).ok).toBe(false);
    const otherInfo = setupBaseR(p, enc, skR, ascii('other'));
    expect(otherInfo.ok && otherInfo.value.open(ascii('aad'), ct).ok).toBe(false);
    const otherKey = setupBaseR(p, enc, p.p256Generate(), info);
    expect(otherKey.ok && otherKey.value.open(ascii('aad'), ct).ok).toBe(false);
  });

  it('export-only contexts refuse Seal/Open but export', () => {
    const { s, r } = pair(SUITE_EXPORT_ONLY);
    expect(() => s.seal(EMPTY, EMPTY)).toThrow(WristpayError);
    const o = r.open(EMPTY, new Uint8Array(16));
    expect(o.ok || o.status).toBe(Status.INTERNAL);
    expect(s.export(ascii('x'), 32)).toEqual(r.export(ascii('x'), 32));
    expect(() => sealResponse(p, r, EMPTY, EMPTY, ascii('l'))).toThrow(WristpayError);
  });

  it('Export accepts L in 0..255*Nh only (§5.3)', () => {
    const { s } = pair();
    expect(s.export(EMPTY, 0)).toHaveLength(0);
    expect(s.export(EMPTY, 8160)).toHaveLength(8160);
    expect(() => s.export(EMPTY, 8161)).toThrow('HPKE Export: L out of range');
  });

  it('key schedule enforces the PSK input rules (§5.1 VerifyPSKInputs)', () => {
    const ss = new Uint8Array(32);
    const psk = new Uint8Array(32).fill(7);
    const id = ascii('id');
    const bad = [
      keySchedule(p, SUITE_CHACHA20_POLY1305, MODE_BASE, ss, info, psk, id),
      keySchedule(p, SUITE_CHACHA20_POLY1305, MODE_PSK, ss, info),
      keySchedule(p, SUITE_CHACHA20_POLY1305, MODE_PSK, ss, info, psk),
      keySchedule(p, SUITE_CHACHA20_POLY1305, MODE_PSK, ss, info, EMPTY, id),
    ];
    for (const b of bad) expect(b.ok || b.status).toBe(Status.MALFORMED);
    const auth = keySchedule(p, SUITE_CHACHA20_POLY1305, 2, ss, info);
    expect(auth.ok || auth.status).toBe(Status.UNSUPPORTED_VERSION);
    expect(keySchedule(p, SUITE_CHACHA20_POLY1305, MODE_PSK, ss, info, psk, id).ok).toBe(true);
  });

  it.each([
    ['ChaCha20-Poly1305', SUITE_CHACHA20_POLY1305, 32],
    ['AES-128-GCM', SUITE_AES_128_GCM, 16],
  ] as const)('response pattern (%s): opens on either side, refuses tampering', (_n, suite, nonceLen) => {
    const { enc, s, r } = pair(suite);
    expect(responseNonceLength(suite)).toBe(nonceLen);
    const label = ascii('wristpay/1 answer');
    const resp = sealResponse(p, r, enc, ascii('answer'), label);
    expect(resp).toHaveLength(nonceLen + 6 + 16);
    const o = openResponse(p, s, enc, resp, label);
    expect(o.ok && o.value).toEqual(ascii('answer'));
    // Two responses to one request differ (fresh response_nonce).
    expect(sealResponse(p, r, enc, ascii('answer'), label)).not.toEqual(resp);
    for (let i = 0; i < resp.length; i++) {
      const bad = resp.slice();
      bad[i] ^= 1;
      const b = openResponse(p, s, enc, bad, label);
      expect(b.ok || b.status).toBe(Status.DECRYPT_FAILED);
    }
    const wrongLabel = openResponse(p, s, enc, resp, ascii('wristpay/1 result'));
    expect(wrongLabel.ok || wrongLabel.status).toBe(Status.DECRYPT_FAILED);
    const wrongEnc = enc.slice();
    wrongEnc[10] ^= 1;
    expect(openResponse(p, s, wrongEnc, resp, label).ok).toBe(false);
    const short = openResponse(p, s, enc, resp.subarray(0, nonceLen + 15), label);
    expect(short.ok || short.status).toBe(Status.MALFORMED);
  });

  it('a sender and a recipient context from the same schedule talk to each other', () => {
    const ks = keySchedule(p, SUITE_AES_128_GCM, MODE_BASE, new Uint8Array(32), info);
    if (!ks.ok) throw new Error('ks');
    const s = createSenderContext(p, SUITE_AES_128_GCM, ks.value);
    const r = createRecipientContext(p, SUITE_AES_128_GCM, ks.value);
    for (let i = 0; i < 300; i++) {
      const o = r.open(EMPTY, s.seal(EMPTY, new Uint8Array([i & 255])));
      expect(o.ok && o.value[0]).toBe(i & 255);
    }
    expect(s.seq()).toBe(300);
  });
});
