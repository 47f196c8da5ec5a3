/**
 * RFC 9180 Appendix A test vectors for DHKEM(P-256, HKDF-SHA256) / HKDF-SHA256 with
 * AES-128-GCM, ChaCha20-Poly1305 and export-only, modes base (0) and psk (1): all 6
 * entries, 1,028 encryptions and 18 exports. Source: cfrg/draft-irtf-cfrg-hpke
 * test-vectors.json at 5f503c5, via cloudflare/circl hpke/testdata (see
 * test/vectors/README.md, HPKE). Run for both host providers.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/crypto/bytes.ts';
import {
  MODE_BASE,
  computeNonce,
  createRecipientContext,
  createSenderContext,
  decap,
  deriveKeyPair,
  deriveScalar,
  encap,
  hpkeSuite,
  keySchedule,
  setupBaseR,
  setupBaseS,
} from '../../shared/hpke/index.ts';
import { hex, providers } from '../crypto/providers.ts';
import { readVectorJson } from '../support/vectors.ts';

interface Entry {
  mode: number;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  ikmE: string;
  ikmR: string;
  skEm: string;
  skRm: string;
  pkEm: string;
  pkRm: string;
  enc: string;
  shared_secret: string;
  key_schedule_context: string;
  secret: string;
  key: string;
  base_nonce: string;
  exporter_secret: string;
  psk?: string;
  psk_id?: string;
  encryptions: { aad: string; ct: string; nonce: string; pt: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}

const entries = readVectorJson<Entry[]>('hpke/rfc9180-p256.json');
const name = (e: Entry) => `mode ${e.mode} aead 0x${e.aead_id.toString(16)}`;

describe.each(providers)('RFC 9180 vectors: %s', (_pname, p) => {
  it('has the 6 entries, 1,028 encryptions and 18 exports the README lists', () => {
    expect(entries).toHaveLength(6);
    expect(entries.reduce((n, e) => n + e.encryptions.length, 0)).toBe(1028);
    expect(entries.reduce((n, e) => n + e.exports.length, 0)).toBe(18);
  });

  describe.each(entries.map((e) => [name(e), e] as const))('%s', (_n, e) => {
    const suite = hpkeSuite(e.kem_id, e.kdf_id, e.aead_id)!;
    const psk = e.psk === undefined ? undefined : hex(e.psk);
    const pskId = e.psk_id === undefined ? undefined : hex(e.psk_id);

    it('DeriveKeyPair(ikmR) and DeriveKeyPair(ikmE) give skRm/pkRm and skEm/pkEm (§7.1.3)', () => {
      expect(toHex(deriveScalar(p, hex(e.ikmR)))).toBe(e.skRm);
      expect(toHex(deriveScalar(p, hex(e.ikmE)))).toBe(e.skEm);
      expect(toHex(p.p256PublicKey(deriveKeyPair(p, hex(e.ikmR))))).toBe(e.pkRm);
      expect(toHex(p.p256PublicKey(deriveKeyPair(p, hex(e.ikmE))))).toBe(e.pkEm);
    });

    it('Encap with skE = DeriveKeyPair(ikmE) gives enc and shared_secret; Decap(enc, skR) gives shared_secret (§4.1)', () => {
      const en = encap(p, hex(e.pkRm), deriveKeyPair(p, hex(e.ikmE)));
      expect(en.ok).toBe(true);
      if (!en.ok) return;
      expect(toHex(en.value.enc)).toBe(e.enc);
      expect(toHex(en.value.sharedSecret)).toBe(e.shared_secret);
      const skR = p.p256ImportPrivate(hex(e.skRm))!;
      const de = decap(p, hex(e.enc), skR);
      expect(de.ok && toHex(de.value)).toBe(e.shared_secret);
    });

    it('key schedule gives key_schedule_context, secret, key, base_nonce, exporter_secret (§5.1)', () => {
      const ks = keySchedule(p, suite, e.mode, hex(e.shared_secret), hex(e.info), psk, pskId);
      expect(ks.ok).toBe(true);
      if (!ks.ok) return;
      expect(toHex(ks.value.keyScheduleContext)).toBe(e.key_schedule_context);
      expect(toHex(ks.value.secret)).toBe(e.secret);
      expect(toHex(ks.value.key)).toBe(e.key);
      expect(toHex(ks.value.baseNonce)).toBe(e.base_nonce);
      expect(toHex(ks.value.exporterSecret)).toBe(e.exporter_secret);
    });

    it(`seals byte-exact and opens all ${e.encryptions.length} encryptions in order, nonces per §5.2`, () => {
      const ks = keySchedule(p, suite, e.mode, hex(e.shared_secret), hex(e.info), psk, pskId);
      if (!ks.ok) throw new Error('key schedule');
      const sender = createSenderContext(p, suite, ks.value);
      const recipient = createRecipientContext(p, suite, ks.value);
      e.encryptions.forEach((x, seq) => {
        expect(toHex(computeNonce(ks.value.baseNonce, seq)), `nonce ${seq}`).toBe(x.nonce);
        expect(toHex(sender.seal(hex(x.aad), hex(x.pt))), `seal ${seq}`).toBe(x.ct);
        const opened = recipient.open(hex(x.aad), hex(x.ct));
        expect(opened.ok && toHex(opened.value), `open ${seq}`).toBe(x.pt);
      });
      expect(recipient.seq()).toBe(e.encryptions.length);
    });

    it('all 3 exports agree on both sides (§5.3)', () => {
      const ks = keySchedule(p, suite, e.mode, hex(e.shared_secret), hex(e.info), psk, pskId);
      if (!ks.ok) throw new Error('key schedule');
      const sender = createSenderContext(p, suite, ks.value);
      const recipient = createRecipientContext(p, suite, ks.value);
      for (const x of e.exports) {
        expect(toHex(sender.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
        expect(toHex(recipient.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
      }
    });

    if (e.mode === MODE_BASE)
      it('SetupBaseS(skE = DeriveKeyPair(ikmE)) / SetupBaseR reproduce the entry end to end (§5.1.1)', () => {
        const s = setupBaseS(p, hex(e.pkRm), hex(e.info), { suite, skE: deriveKeyPair(p, hex(e.ikmE)) });
        const r = setupBaseR(p, hex(e.enc), deriveKeyPair(p, hex(e.ikmR)), hex(e.info), suite);
        if (!s.ok || !r.ok) throw new Error('setup');
        expect(toHex(s.value.enc)).toBe(e.enc);
        for (const x of e.encryptions.slice(0, 3)) {
          expect(toHex(s.value.ctx.seal(hex(x.aad), hex(x.pt)))).toBe(x.ct);
          const o = r.value.open(hex(x.aad), hex(x.ct));
          expect(o.ok && toHex(o.value)).toBe(x.pt);
        }
        const x = e.exports[0];
        expect(toHex(r.value.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
      });
  });
});
