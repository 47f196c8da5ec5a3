import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { CborMap, type CborValue } from '../cbor/types.ts';
import { MAX_MESSAGE_BYTES, MAX_MESSAGE_DEPTH, PROTOCOL_VERSION } from '../protocol/constants.ts';
import { Status } from '../status/codes.ts';
import { type Result, fail, ok } from '../status/error.ts';
import { EnvelopeKey } from './keys.ts';

/** Encoder used for messages: the compact codec by default; the host may pass cbor-x's (same bytes). */
export type Encoder = (value: CborValue) => Uint8Array;
export const defaultEncoder: Encoder = encodeCbor;

/**
 * Decodes untrusted bytes into a CBOR map in the strict deterministic profile
 * (RFC 8949 §4.2.1), bounded in size and depth. This is the one edge where message
 * bytes become values.
 */
export function decodeProtocolMap(bytes: Uint8Array, maxBytes?: number): Result<CborMap> {
  const limit = maxBytes === undefined ? MAX_MESSAGE_BYTES : maxBytes;
  if (!(bytes instanceof Uint8Array)) return fail(Status.MALFORMED, 'not bytes');
  if (bytes.length > limit) return fail(Status.OVERSIZE, 'message of ' + bytes.length + ' bytes');
  const decoded = decodeCbor(bytes, { strict: true, maxDepth: MAX_MESSAGE_DEPTH, maxBytes: limit });
  if (!decoded.ok) return decoded;
  if (!(decoded.value instanceof CborMap)) return fail(Status.MALFORMED, 'message is not a map');
  return ok(decoded.value);
}

/**
 * Checks key 0 (type) and key 1 (version) of a clear-text message. The version is
 * checked before anything else so that a future version gets UNSUPPORTED_VERSION,
 * not MALFORMED, whatever else it carries.
 */
export function readHeader(map: CborMap): Result<number> {
  const version = map.get(EnvelopeKey.VERSION);
  // A version is an unsigned integer; a missing or mistyped one is MALFORMED, like the type.
  if (typeof version !== 'number' || version < 0) return fail(Status.MALFORMED, 'missing version');
  if (version !== PROTOCOL_VERSION) return fail(Status.UNSUPPORTED_VERSION, 'version ' + version);
  const type = map.get(EnvelopeKey.TYPE);
  if (typeof type !== 'number' || type < 0 || Math.floor(type) !== type) return fail(Status.MALFORMED, 'missing type');
  return ok(type);
}

/** A map with the type/version header and the given numbered fields (undefined ones omitted). */
export function messageMap(type: number, fields: Array<[number, CborValue]>): CborMap {
  const m = new CborMap();
  m.set(EnvelopeKey.TYPE, type);
  m.set(EnvelopeKey.VERSION, PROTOCOL_VERSION);
  return addFields(m, fields);
}

export function addFields(m: CborMap, fields: Array<[number, CborValue]>): CborMap {
  for (let i = 0; i < fields.length; i++) if (fields[i][1] !== undefined) m.set(fields[i][0], fields[i][1]);
  return m;
}
