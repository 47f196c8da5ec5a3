/**
 * The WebAuthn client's side of a band ceremony (W3C WebAuthn Level 3), as the bridge plays
 * it and the checkout checks it: the clientDataJSON (§5.8.1), the band's P1363 signature as the
 * DER the response carries (§6.5.5), the "none" attestation object (§8.7), and the JSON the
 * RP verifies (RegistrationResponseJSON, AuthenticationResponseJSON, §5.1.8 and §5.2.4).
 */
import { createHash } from 'node:crypto';
import { decodeCbor } from '../../shared/cbor/decode.ts';
import { encodeCborHost } from '../../shared/cbor/host.ts';
import { CborMap } from '../../shared/cbor/types.ts';
import { fromBase64Url, toBase64Url } from './base64url.ts';

export type CeremonyType = 'webauthn.create' | 'webauthn.get';

export interface ClientData {
  type: CeremonyType;
  challenge: string;
  origin: string;
  crossOrigin: boolean;
}

/** The clientDataJSON bytes, in the order §5.8.1.1 serializes them. */
export function clientDataJson(type: CeremonyType, challenge: string, origin: string): Uint8Array {
  const c: ClientData = { type, challenge, origin, crossOrigin: false };
  return new TextEncoder().encode(JSON.stringify(c));
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** One DER INTEGER: the unsigned big-endian value without leading zeros, a 0x00 before a high bit. */
function derInteger(v: Uint8Array): number[] {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const body = Array.from(v.subarray(i));
  if (body[0] & 0x80) body.unshift(0);
  return [0x02, body.length, ...body];
}

/** ECDSA P-256 r‖s (64 bytes, as the secure element signs) as the DER Ecdsa-Sig-Value (RFC 3279 §2.2.3). */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  if (sig.length !== 64) throw new RangeError(`a P-256 signature is 64 bytes, not ${sig.length}`);
  const seq = [...derInteger(sig.subarray(0, 32)), ...derInteger(sig.subarray(32))];
  return new Uint8Array([0x30, seq.length, ...seq]);
}

/** The attestation object of "none" attestation: {fmt: "none", attStmt: {}, authData}. */
export function noneAttestation(authData: Uint8Array): Uint8Array {
  return encodeCborHost(new CborMap(['fmt', 'attStmt', 'authData'], ['none', new CborMap(), authData]));
}

/** What a registration's authenticator data holds after its 37-byte head (§6.5.1). */
export interface AttestedCredential {
  credentialId: Uint8Array;
  /** The COSE_Key bytes. */
  publicKey: Uint8Array;
  counter: number;
}

/** Reads the attested credential data of `authData`; null when it is not there or does not parse. */
export function attestedCredential(authData: Uint8Array): AttestedCredential | null {
  if (authData.length < 55 || (authData[32] & 0x40) === 0) return null;
  const view = new DataView(authData.buffer, authData.byteOffset, authData.byteLength);
  const idLength = view.getUint16(53);
  const keyAt = 55 + idLength;
  if (keyAt >= authData.length) return null;
  const publicKey = authData.subarray(keyAt);
  const key = decodeCbor(publicKey, { strict: true, maxDepth: 2, maxBytes: 256 });
  if (!key.ok || !(key.value instanceof CborMap)) return null;
  return { credentialId: authData.subarray(55, keyAt), publicKey, counter: view.getUint32(33) };
}

/** A P-256 COSE_Key as a JWK (RFC 7517), for anyone checking a signature without COSE. */
export function coseKeyToJwk(coseKey: Uint8Array): { kty: 'EC'; crv: 'P-256'; x: string; y: string } | null {
  const m = decodeCbor(coseKey, { strict: true, maxDepth: 2, maxBytes: 256 });
  if (!m.ok || !(m.value instanceof CborMap)) return null;
  const x = m.value.get(-2);
  const y = m.value.get(-3);
  if (m.value.get(1) !== 2 || m.value.get(-1) !== 1 || !(x instanceof Uint8Array) || !(y instanceof Uint8Array))
    return null;
  return { kty: 'EC', crv: 'P-256', x: toBase64Url(x), y: toBase64Url(y) };
}

/** RegistrationResponseJSON (§5.1.8), as @simplewebauthn/server reads it. */
export interface RegistrationResponseJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: {
    clientDataJSON: string;
    attestationObject: string;
    authenticatorData: string;
    publicKey: string;
    publicKeyAlgorithm: number;
    transports: string[];
  };
  clientExtensionResults: Record<string, never>;
  authenticatorAttachment: 'cross-platform';
}

/** AuthenticationResponseJSON (§5.2.4). */
export interface AuthenticationResponseJSON {
  id: string;
  rawId: string;
  type: 'public-key';
  response: {
    clientDataJSON: string;
    authenticatorData: string;
    signature: string;
    userHandle?: string;
  };
  clientExtensionResults: Record<string, never>;
  authenticatorAttachment: 'cross-platform';
}

export function registrationResponse(
  clientData: Uint8Array,
  authData: Uint8Array,
  credential: AttestedCredential,
): RegistrationResponseJSON {
  const id = toBase64Url(credential.credentialId);
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: {
      clientDataJSON: toBase64Url(clientData),
      attestationObject: toBase64Url(noneAttestation(authData)),
      authenticatorData: toBase64Url(authData),
      publicKey: toBase64Url(credential.publicKey),
      publicKeyAlgorithm: -7,
      // The band is reached over Bluetooth LE, through a bridge.
      transports: ['ble'],
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'cross-platform',
  };
}

/** `signature` as the response carries it: DER (the checkout converts the band's r‖s, p1363ToDer). */
export function authenticationResponse(
  clientData: Uint8Array,
  credentialId: string,
  authData: Uint8Array,
  signature: Uint8Array,
): AuthenticationResponseJSON {
  const id = credentialId;
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: {
      clientDataJSON: toBase64Url(clientData),
      authenticatorData: toBase64Url(authData),
      signature: toBase64Url(signature),
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'cross-platform',
  };
}

/** The clientDataJSON of a response, parsed; null when it is not base64url JSON of that shape. */
export function readClientData(b64: string): ClientData | null {
  const bytes = fromBase64Url(b64);
  if (!bytes) return null;
  try {
    const c = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as ClientData;
    return typeof c.type === 'string' && typeof c.challenge === 'string' && typeof c.origin === 'string' ? c : null;
  } catch {
    return null;
  }
}
