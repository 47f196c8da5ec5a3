/**
 * How the owner's bridge learns its band's identity resolving key (IRK), at enrollment
 * (docs/PROTOCOL.md §7): the bridge adds a one-time P-256 key (`ownerKey`, ENROLL key 5)
 * to the checkout's ENROLL; the band answers with the IRK HPKE-sealed to it (info
 * "wristpay/1 irk") and signed with its new signing key over
 * ["wristpay/1 irk", nonce, ownerKey, irkEnc, irkCt] (ENROLLED keys 5-7). The bridge checks
 * the signature (a relay that swapped ownerKey for its own is caught), opens the IRK,
 * forgets the one-time key, and forwards the ENROLLED without keys 5-7: the checkout never
 * sees the IRK, sealed or not, and nothing about it is in clear on the air.
 */
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { ascii } from '../../shared/crypto/bytes.ts';
import { defaultProvider } from '../../shared/crypto/default-provider.ts';
import type { KeyHandle } from '../../shared/crypto/provider.ts';
import { setupBaseR } from '../../shared/hpke/index.ts';
import { decodeMessageOf, encodeMessage } from '../../shared/messages/index.ts';
import { Label, Size } from '../../shared/protocol/constants.ts';

export interface OwnerKeyOffer {
  /** The checkout's ENROLL with the bridge's one-time key added (what goes to the band). */
  enroll: Uint8Array;
  nonce: Uint8Array;
  ownerKey: Uint8Array;
  secret: KeyHandle;
}

/** Adds a fresh one-time owner key to the checkout's ENROLL; null when the ENROLL does not decode (the band will say why). */
export function offerOwnerKey(enroll: Uint8Array): OwnerKeyOffer | null {
  const m = decodeMessageOf(enroll, 'enroll');
  if (!m.ok) return null;
  const p = defaultProvider();
  const secret = p.p256Generate();
  const ownerKey = p.p256PublicKey(secret);
  return { enroll: encodeMessage({ ...m.value, ownerKey }, encodeCborHost), nonce: m.value.nonce, ownerKey, secret };
}

export interface TakenKey {
  /** The ENROLLED as the checkout expects it (keys 5-7 removed). */
  forward: Uint8Array;
  /** The band's IRK; null when the band sent none or it did not check out (`problem` says why). */
  irk: Uint8Array | null;
  problem?: string;
}

/** Takes the sealed IRK out of the band's ENROLLED, checking the band's signature over it first. */
export function takeIdentityKey(enrolled: Uint8Array, offer: OwnerKeyOffer): TakenKey {
  const m = decodeMessageOf(enrolled, 'enrolled');
  if (!m.ok) return { forward: enrolled, irk: null, problem: "the band's ENROLLED does not decode" };
  const { irkEnc, irkCt, irkSignature, ...rest } = m.value;
  const forward = encodeMessage(rest, encodeCborHost);
  if (irkEnc === undefined || irkCt === undefined || irkSignature === undefined)
    return { forward, irk: null, problem: 'the band sent no identity key (older firmware)' };
  const p = defaultProvider();
  const signed = encodeCborHost([Label.IRK, offer.nonce, offer.ownerKey, irkEnc, irkCt]);
  if (!p.p256IsValidPublic(rest.signingKey) || !p.p256Verify(rest.signingKey, signed, irkSignature)) {
    return {
      forward,
      irk: null,
      problem:
        "the identity key was not sealed to this bridge's key (signature does not verify): someone relayed the enrollment",
    };
  }
  const ctx = setupBaseR(p, irkEnc, offer.secret, ascii(Label.IRK));
  const opened = ctx.ok ? ctx.value.open(new Uint8Array(0), irkCt) : ctx;
  if (!opened.ok || opened.value.length !== Size.IRK)
    return { forward, irk: null, problem: 'the sealed identity key does not open' };
  return { forward, irk: opened.value };
}
