/**
 * The crypto floor of a payment: node:crypto alone, no protocol code, no encoding, no
 * database, at the byte sizes of the run's real messages. What no checkout on this machine
 * can beat, measured in the same run as the checkout itself.
 *
 * - full: what a payment's crypto costs the checkout at minimum: one ephemeral P-256 key +
 *   ECDH (sealing the challenge), one AEAD seal (the challenge) and one AEAD open (the
 *   answer), one ECDSA verify (the token).
 * - answer: the part of that the timed answer path does: AEAD open of the answer, AEAD seal
 *   of the RESULT, ECDSA verify. The ephemeral key and ECDH belong to issuing the challenge,
 *   which the answer benchmark does not time.
 */
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { decodeMessageOf } from '../../shared/messages/index.ts';
import { measure } from './measure.ts';

export interface FloorSizes {
  challenge: number;
  answer: number;
  result: number;
  signed: number;
}

const TAG = 16;

/** The sizes the floor is measured at: a real challenge and answer of the run (the RESULT is 24 bytes). */
export function floorSizesOf(challenge: Uint8Array, answer: Uint8Array): FloorSizes {
  const ch = decodeMessageOf(challenge, 'challenge');
  const an = decodeMessageOf(answer, 'answer');
  if (!ch.ok || !an.ok) throw new Error('bench: prepared messages do not decode');
  const answerPlain = an.value.sealed.length - 32 - 16;
  return { challenge: ch.value.ct.length - 16, answer: answerPlain, result: 24, signed: answerPlain };
}

function aead(key: Buffer, nonce: Buffer, plain: Buffer): Buffer {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  c.setAAD(Buffer.alloc(0), { plaintextLength: plain.length });
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

function unaead(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer {
  const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG });
  d.setAAD(Buffer.alloc(0), { plaintextLength: sealed.length - TAG });
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
}

export function benchCryptoFloor(sizes: FloorSizes, ms: number): { full: number; answer: number } {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const challenge = randomBytes(sizes.challenge);
  const answer = aead(key, nonce, randomBytes(sizes.answer));
  const result = randomBytes(sizes.result);
  const band = createECDH('prime256v1');
  band.generateKeys();
  const bandPub = band.getPublicKey();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signed = randomBytes(sizes.signed);
  const signature = sign('sha256', signed, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  // The verifier keeps the band's key object, as a checkout would (our provider caches it too).
  const verifyKey = createPublicKey(publicKey.export({ format: 'pem', type: 'spki' }));
  const check = (ok: boolean) => {
    if (!ok) throw new Error('crypto floor: verify failed');
  };
  const full = measure(() => {
    const eph = createECDH('prime256v1');
    eph.generateKeys();
    eph.computeSecret(bandPub);
    aead(key, nonce, challenge);
    unaead(key, nonce, answer);
    check(verify('sha256', signed, { key: verifyKey, dsaEncoding: 'ieee-p1363' }, signature));
  }, ms);
  const answerSide = measure(() => {
    unaead(key, nonce, answer);
    aead(key, nonce, result);
    check(verify('sha256', signed, { key: verifyKey, dsaEncoding: 'ieee-p1363' }, signature));
  }, ms);
  return { full, answer: answerSide };
}
