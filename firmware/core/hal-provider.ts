/**
 * The CryptoProvider the shared protocol code (HPKE, COSE) runs over on the band,
 * built from the HAL's secure element, hash engine and AEAD engine. Key handles name
 * secure-element slots, so private keys never enter the JS heap.
 */
import { hkdfExpandWith, hkdfExtractWith } from '../../shared/crypto/hkdf.ts';
import type { Bytes, CryptoProvider, KeyHandle } from '../../shared/crypto/provider.ts';
import { type Hal, Slot } from '../hal.ts';

export interface SlotHandle extends KeyHandle {
  readonly slot: number;
}

export function slotHandle(slot: number): SlotHandle {
  return { __keyHandle: true, slot };
}

export function createHalProvider(hal: Hal): CryptoProvider {
  const hmac = (key: Bytes, data: Bytes): Bytes => hal.hash.hmacSha256(key, data);
  return {
    name: 'band-hal',
    randomBytes: (n) => hal.random.bytes(n),
    sha256: (d) => hal.hash.sha256(d),
    hmacSha256: hmac,
    hkdfExtract: (salt, ikm) => hkdfExtractWith(hmac, salt, ikm),
    hkdfExpand: (prk, info, len) => hkdfExpandWith(hmac, prk, info, len),
    aeadSeal: (alg, key, nonce, aad, pt) => {
      // The band's AEAD engine is ChaCha20-Poly1305 only (the suite of docs/PROTOCOL.md).
      if (alg !== 'chacha20-poly1305') throw new Error('AEAD ' + alg + ' is not available on the band');
      return hal.aead.seal(key, nonce, aad, pt);
    },
    aeadOpen: (alg, key, nonce, aad, ct) => {
      if (alg !== 'chacha20-poly1305') return null;
      return hal.aead.open(key, nonce, aad, ct);
    },
    // Ephemeral keys (the hello's HPKE encap) live in the scratch slot.
    p256Generate: () => {
      hal.se.generate(Slot.EPHEMERAL);
      return slotHandle(Slot.EPHEMERAL);
    },
    p256PublicKey: (key) => {
      const slot = (key as SlotHandle).slot;
      const pub = hal.se.publicKey(slot);
      if (pub === null) throw new Error('empty key slot ' + slot);
      return pub;
    },
    p256IsValidPublic: (pub) => hal.se.isValidPublic(pub),
    p256Ecdh: (key, peer) => (hal.se.isValidPublic(peer) ? hal.se.ecdh((key as SlotHandle).slot, peer) : null),
    p256Sign: (key, message) => {
      const slot = (key as SlotHandle).slot;
      const sig = hal.se.sign(slot, message);
      if (sig === null) throw new Error('empty key slot ' + slot);
      return sig;
    },
    p256Verify: (pub, message, sig) =>
      sig.length === 64 && hal.se.isValidPublic(pub) && hal.se.verify(pub, message, sig),
  };
}
