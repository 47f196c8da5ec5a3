/**
 * Interop with @hpke/core 1.9 (+ @hpke/chacha20poly1305), an independent RFC 9180
 * implementation over WebCrypto: requests sealed by either side open on the other, exports
 * agree, and the RFC 9458 §4.4 response pattern opens both ways (the @hpke/core side does
 * its half of the pattern with node:crypto HKDF/AEAD over its own Export).
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Aes128Gcm, CipherSuite, DhkemP256HkdfSha256, ExportOnly, HkdfSha256 } from '@hpke/core';
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { ascii, concat } from '../../shared/crypto/bytes.ts';
import type { HostCryptoProvider } from '../../shared/crypto/host-provider.ts';
import {
  SUITE_AES_128_GCM,
  SUITE_CHACHA20_POLY1305,
  SUITE_EXPORT_ONLY,
  deriveKeyPair,
  deriveScalar,
  openResponse,
  sealResponse,
  setupBaseR,
  setupBaseS,
  type HpkeSuite,
} from '../../shared/hpke/index.ts';
import { providers } from '../crypto/providers.ts';

const u8 = (b: ArrayBuffer | Uint8Array) => new Uint8Array(b instanceof Uint8Array ? b : new Uint8Array(b));
const LABEL = ascii('wristpay/1 test response');

/** The response pattern written independently of shared/hpke, over node:crypto (one HKDF block suffices: Nk, Nn <= 32). */
function theirResponseKey(secret: Uint8Array, enc: Uint8Array, nonce: Uint8Array, nk: number) {
  const hmac = (k: Uint8Array, d: Uint8Array) => new Uint8Array(createHmac('sha256', k).update(d).digest());
  const prk = hmac(concat(enc, nonce), secret);
  const expand1 = (info: string, len: number) => hmac(prk, concat(ascii(info), new Uint8Array([1]))).subarray(0, len);
  return { key: expand1('key', nk), nonce: expand1('nonce', 12) };
}
function cipherName(suite: HpkeSuite) {
  return suite.aead === 'aes-128-gcm' ? 'aes-128-gcm' : 'chacha20-poly1305';
}
function theirSealResponse(suite: HpkeSuite, secret: Uint8Array, enc: Uint8Array, pt: Uint8Array) {
  const rn = new Uint8Array(Math.max(suite.nk, suite.nn)).map((_, i) => i * 7);
  const k = theirResponseKey(secret, enc, rn, suite.nk);
  const c = createCipheriv(cipherName(suite) as 'chacha20-poly1305', k.key, k.nonce, { authTagLength: 16 });
  c.setAAD(new Uint8Array(0), { plaintextLength: pt.length });
  return concat(rn, c.update(pt), c.final(), c.getAuthTag());
}
function theirOpenResponse(suite: HpkeSuite, secret: Uint8Array, enc: Uint8Array, r: Uint8Array) {
  const nl = Math.max(suite.nk, suite.nn);
  const k = theirResponseKey(secret, enc, r.subarray(0, nl), suite.nk);
  const d = createDecipheriv(cipherName(suite) as 'chacha20-poly1305', k.key, k.nonce, { authTagLength: 16 });
  d.setAAD(new Uint8Array(0), { plaintextLength: r.length - nl - 16 });
  d.setAuthTag(r.subarray(r.length - 16));
  return concat(d.update(r.subarray(nl, r.length - 16)), d.final());
}

const suites: Array<[string, HpkeSuite, () => CipherSuite]> = [
  [
    'ChaCha20-Poly1305',
    SUITE_CHACHA20_POLY1305,
    () => new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Chacha20Poly1305() }),
  ],
  [
    'AES-128-GCM',
    SUITE_AES_128_GCM,
    () => new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() }),
  ],
];

describe.each(providers)('interop with @hpke/core: %s', (_pname, p: HostCryptoProvider) => {
  describe.each(suites)('%s', (_sname, suite, make) => {
    const info = ascii('wristpay/1 interop');
    const aad = ascii('aad');
    const pt = p.randomBytes(200);

    it('@hpke/core seals, we open; exports agree; our response opens with their export', async () => {
      const them = make();
      const skR = p.p256Generate();
      const pkR = await them.kem.deserializePublicKey(p.p256PublicKey(skR));
      const sender = await them.createSenderContext({ recipientPublicKey: pkR, info });
      const ct1 = u8(await sender.seal(pt, aad));
      const ct2 = u8(await sender.seal(pt, aad));
      const enc = u8(sender.enc);
      const r = setupBaseR(p, enc, skR, info, suite);
      if (!r.ok) throw new Error('setupBaseR: ' + r.status);
      const o1 = r.value.open(aad, ct1);
      const o2 = r.value.open(aad, ct2);
      expect(o1.ok && o1.value).toEqual(pt);
      expect(o2.ok && o2.value).toEqual(pt);
      for (const L of [0, 1, 32, 100]) {
        expect(r.value.export(ascii('ctx'), L)).toEqual(u8(await sender.export(ascii('ctx'), L)));
      }
      // The band's side of the response pattern: seal with our context, open with theirs.
      const resp = sealResponse(p, r.value, enc, pt, LABEL);
      const theirSecret = u8(await sender.export(LABEL, suite.nk));
      expect(theirOpenResponse(suite, theirSecret, enc, resp)).toEqual(pt);
      // And the other way round.
      const back = theirSealResponse(suite, theirSecret, enc, pt);
      const ob = openResponse(p, r.value, enc, back, LABEL);
      expect(ob.ok && ob.value).toEqual(pt);
    });

    it('we seal, @hpke/core opens; exports agree; their response opens with our context', async () => {
      const them = make();
      const kp = await them.kem.generateKeyPair();
      const pkR = u8(await them.kem.serializePublicKey(kp.publicKey));
      const s = setupBaseS(p, pkR, info, { suite });
      if (!s.ok) throw new Error('setupBaseS: ' + s.status);
      const ct1 = s.value.ctx.seal(aad, pt);
      const ct2 = s.value.ctx.seal(aad, pt);
      expect(ct1).not.toEqual(ct2);
      const recipient = await them.createRecipientContext({ recipientKey: kp, enc: s.value.enc, info });
      expect(u8(await recipient.open(ct1, aad))).toEqual(pt);
      expect(u8(await recipient.open(ct2, aad))).toEqual(pt);
      expect(s.value.ctx.export(ascii('ctx'), 64)).toEqual(u8(await recipient.export(ascii('ctx'), 64)));
      const theirSecret = u8(await recipient.export(LABEL, suite.nk));
      const resp = theirSealResponse(suite, theirSecret, s.value.enc, pt);
      const o = openResponse(p, s.value.ctx, s.value.enc, resp, LABEL);
      expect(o.ok && o.value).toEqual(pt);
      expect(
        theirOpenResponse(suite, theirSecret, s.value.enc, sealResponse(p, s.value.ctx, s.value.enc, pt, LABEL)),
      ).toEqual(pt);
    });

    it('their deterministic DeriveKeyPair matches ours', async () => {
      const them = make();
      const ikm = p.randomBytes(32);
      const kp = await them.kem.deriveKeyPair(ikm);
      const theirPub = u8(await them.kem.serializePublicKey(kp.publicKey));
      expect(p.p256PublicKey(deriveKeyPair(p, ikm))).toEqual(theirPub);
      expect(deriveScalar(p, ikm)).toEqual(u8(await them.kem.serializePrivateKey(kp.privateKey)));
    });
  });

  it('export-only suite: exports agree both ways', async () => {
    const them = new CipherSuite({ kem: new DhkemP256HkdfSha256(), kdf: new HkdfSha256(), aead: new ExportOnly() });
    const info = ascii('wristpay/1 export-only');
    const kp = await them.kem.generateKeyPair();
    const s = setupBaseS(p, u8(await them.kem.serializePublicKey(kp.publicKey)), info, { suite: SUITE_EXPORT_ONLY });
    if (!s.ok) throw new Error('setupBaseS');
    const recipient = await them.createRecipientContext({ recipientKey: kp, enc: s.value.enc, info });
    expect(s.value.ctx.export(ascii('e'), 48)).toEqual(u8(await recipient.export(ascii('e'), 48)));
    const skR = p.p256Generate();
    const sender = await them.createSenderContext({
      recipientPublicKey: await them.kem.deserializePublicKey(p.p256PublicKey(skR)),
      info,
    });
    const r = setupBaseR(p, u8(sender.enc), skR, info, SUITE_EXPORT_ONLY);
    if (!r.ok) throw new Error('setupBaseR');
    expect(r.value.export(ascii('e'), 48)).toEqual(u8(await sender.export(ascii('e'), 48)));
  });
});
