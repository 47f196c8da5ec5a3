/**
 * A CryptoProvider for the checkout side of a Duktape scenario, over duk-hal's stand-ins
 * (../duk-hal.js): keys are halctl.standInKey pairs, signatures their HMAC
 * "signatures", verification hal.se.verify (which knows every stand-in key), ECDH the same
 * symmetric stand-in the band's secure element uses (SHA-256 of the two public keys in
 * order), AEAD duk-hal's HMAC keystream. The shapes, lengths and failure behaviour of the
 * real thing, none of its security: it lets the checkout's HPKE and COSE code (the same as
 * harness/band/checkout-core.ts runs on the host) talk to the image inside duk.
 */
import { concat } from '../../../shared/crypto/bytes.ts';
import { hkdfExpandWith, hkdfExtractWith } from '../../../shared/crypto/hkdf.ts';
import type { AeadAlg, Bytes, CryptoProvider, KeyHandle } from '../../../shared/crypto/provider.ts';
import type { HalCtl, StandInKey } from './halctl.ts';

declare const halctl: HalCtl;

interface StandInHandle extends KeyHandle {
  readonly key: StandInKey;
}

function u32(n: number): Bytes {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** Stand-in crypto for the checkout; `seed` separates its random stream from the band's. */
export function createStandInProvider(seed = 'checkout'): CryptoProvider {
  const hal = halctl.hal;
  const hmac = (key: Bytes, data: Bytes): Bytes => halctl.hmacSha256(key, data);
  const seedBytes = halctl.ascii('standin-random:' + seed);
  let counter = 0;
  const randomBytes = (n: number): Bytes => {
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) {
      const block = halctl.sha256(concat(seedBytes, u32(counter++)));
      out.set(n - at >= 32 ? block : block.subarray(0, n - at), at);
    }
    return out;
  };
  const onlyChaCha = (alg: AeadAlg): void => {
    if (alg !== 'chacha20-poly1305') throw new Error('stand-in AEAD: ' + alg + ' not available');
  };
  const keyOf = (h: KeyHandle): StandInKey => (h as StandInHandle).key;
  return {
    name: 'duk-stand-in',
    randomBytes,
    sha256: (d) => halctl.sha256(d),
    hmacSha256: hmac,
    hkdfExtract: (salt, ikm) => hkdfExtractWith(hmac, salt, ikm),
    hkdfExpand: (prk, info, len) => hkdfExpandWith(hmac, prk, info, len),
    aeadSeal: (alg, key, nonce, aad, pt) => {
      onlyChaCha(alg);
      return hal.aead.seal(key, nonce, aad, pt);
    },
    aeadOpen: (alg, key, nonce, aad, ct) => (alg === 'chacha20-poly1305' ? hal.aead.open(key, nonce, aad, ct) : null),
    p256Generate: (): KeyHandle => {
      const handle: StandInHandle = {
        __keyHandle: true,
        key: halctl.standInKey(seed + ':' + halctl.hex(randomBytes(16))),
      };
      return handle;
    },
    p256PublicKey: (h) => keyOf(h).publicKey,
    p256IsValidPublic: (pub) => hal.se.isValidPublic(pub),
    // duk-hal's se.ecdh: SHA-256 of both public keys, in hex order, so both sides agree.
    p256Ecdh: (h, peer) => {
      if (!hal.se.isValidPublic(peer)) return null;
      const mine = keyOf(h).publicKey;
      return halctl.sha256(halctl.hex(mine) < halctl.hex(peer) ? concat(mine, peer) : concat(peer, mine));
    },
    p256Sign: (h, message) => keyOf(h).sign(message),
    p256Verify: (pub, message, sig) =>
      sig.length === 64 && hal.se.isValidPublic(pub) && hal.se.verify(pub, message, sig),
  };
}
