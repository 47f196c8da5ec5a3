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
 *   which the answer benchmark does not time. What checkout.answerFloorRatio divides by.
 * - payment (benchPaymentFloor): everything a whole payment's crypto costs the checkout: the
 *   hello opened (ECDH with the checkout's key, AEAD open), the challenge signed (ECDSA sign)
 *   and sealed (ephemeral key + ECDH, AEAD seal), the answer opened (AEAD open), its token
 *   verified (ECDSA verify), the RESULT sealed (AEAD seal). What checkout.paymentFloorRatio
 *   divides by. `full` above leaves out the hello and the signature; the scale bench uses it.
 * Not counted in either: HPKE's key schedules (a dozen HMAC-SHA256 calls), so the floors are a
 * little above what any implementation of this protocol could reach.
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

/** The run's sealed hello: its plaintext size, for benchPaymentFloor. */
export function helloSizeOf(hello: Uint8Array): number {
  const m = decodeMessageOf(hello, 'hello');
  if (!m.ok) throw new Error('bench: prepared hello does not decode');
  return m.value.ct.length - TAG;
}

const verifyCheck = (ok: boolean) => {
  if (!ok) throw new Error('crypto floor: verify failed');
};

/** Keys and messages at the run's sizes; the verifier keeps the band's key object, as a checkout would (our provider caches it too). */
function kit(sizes: FloorSizes & { hello?: number }) {
  const key = randomBytes(32);
  const nonce = randomBytes(12);
  const band = createECDH('prime256v1');
  band.generateKeys();
  const checkoutHpke = createECDH('prime256v1');
  checkoutHpke.generateKeys();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signed = randomBytes(sizes.signed);
  const verifyKey = createPublicKey(publicKey.export({ format: 'pem', type: 'spki' }));
  const signature = sign('sha256', signed, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return {
    seal: (plain: Buffer) => aead(key, nonce, plain),
    open: (sealed: Buffer) => unaead(key, nonce, sealed),
    challenge: randomBytes(sizes.challenge),
    answer: aead(key, nonce, randomBytes(sizes.answer)),
    result: randomBytes(sizes.result),
    hello: aead(key, nonce, randomBytes(sizes.hello ?? 0)),
    bandPub: band.getPublicKey(),
    checkoutHpke,
    helloEnc: createECDH('prime256v1').generateKeys(),
    checkoutKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    verifyToken: () => verifyCheck(verify('sha256', signed, { key: verifyKey, dsaEncoding: 'ieee-p1363' }, signature)),
  };
}

type Kit = ReturnType<typeof kit>;

/** The challenge's HPKE seal: an ephemeral key, ECDH with the band's key, AEAD seal. */
function sealChallenge(k: Kit): void {
  const eph = createECDH('prime256v1');
  eph.generateKeys();
  eph.computeSecret(k.bandPub);
  k.seal(k.challenge);
}

/** The answer path's crypto (`answer` in this file's comment), ops/s. */
export function benchAnswerFloor(sizes: FloorSizes, ms: number): number {
  const k = kit(sizes);
  return measure(() => {
    k.open(k.answer);
    k.seal(k.result);
    k.verifyToken();
  }, ms);
}

/** A whole payment's crypto at the checkout (`payment` in this file's comment), ops/s. */
export function benchPaymentFloor(sizes: FloorSizes & { hello: number }, ms: number): number {
  const k = kit(sizes);
  return measure(() => {
    k.checkoutHpke.computeSecret(k.helloEnc);
    k.open(k.hello);
    sign('sha256', k.challenge, { key: k.checkoutKey, dsaEncoding: 'ieee-p1363' });
    sealChallenge(k);
    k.open(k.answer);
    k.verifyToken();
    k.seal(k.result);
  }, ms);
}

/** `full` and `answer` (this file's comment). */
export function benchCryptoFloor(sizes: FloorSizes, ms: number): { full: number; answer: number } {
  const k = kit(sizes);
  const full = measure(() => {
    sealChallenge(k);
    k.open(k.answer);
    k.verifyToken();
  }, ms);
  return { full, answer: benchAnswerFloor(sizes, ms) };
}
