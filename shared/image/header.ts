/**
 * The band image header (docs/FIRMWARE-IMAGE.md). Byte layout, little-endian like the
 * nRF52's Cortex-M4 so a bootloader can read fields without swapping:
 *
 *   off len field
 *     0   8 magic "WPIMG1\0\0"
 *     8   2 format version (u16) = 1
 *    10   2 flags (u16): bit 0 = signed with a development key; other bits must be 0
 *    12   4 firmware version: major, minor, patch (u8 each), reserved u8 = 0
 *    16   4 code length in bytes (u32)
 *    20  32 SHA-256 of the code
 *    52   8 vendor key id = first 8 bytes of SHA-256(vendor public key, SEC1 uncompressed)
 *    60   … code (UTF-8 ES5 text), then 64 bytes ES256 signature (P1363 r||s, low-S)
 *           over header || code
 *
 * Pure byte code with no Node APIs, so the simulator's web UI can verify images too.
 */

export const IMAGE_MAGIC = new Uint8Array([0x57, 0x50, 0x49, 0x4d, 0x47, 0x31, 0x00, 0x00]); // "WPIMG1\0\0"
export const IMAGE_FORMAT_VERSION = 1;
export const IMAGE_HEADER_LENGTH = 60;
export const IMAGE_SIGNATURE_LENGTH = 64;
export const IMAGE_KEY_ID_LENGTH = 8;
/** Flag bit 0: signed with an auto-generated development key (not a release key). */
export const IMAGE_FLAG_DEV_KEY = 0x0001;
/** Every flag bit this format defines; a set bit outside it is refused. */
const IMAGE_FLAGS_KNOWN = IMAGE_FLAG_DEV_KEY;

export const HeaderOffset = {
  MAGIC: 0,
  FORMAT_VERSION: 8,
  FLAGS: 10,
  FIRMWARE_VERSION: 12,
  CODE_LENGTH: 16,
  CODE_SHA256: 20,
  KEY_ID: 52,
} as const;

export interface FirmwareVersion {
  major: number;
  minor: number;
  patch: number;
}

export interface ImageHeader {
  formatVersion: number;
  flags: number;
  firmwareVersion: FirmwareVersion;
  codeLength: number;
  codeSha256: Uint8Array;
  keyId: Uint8Array;
}

function isU8(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xff;
}

/** Serialises a header; throws on out-of-range fields (build-side only, inputs are ours). */
export function encodeHeader(h: ImageHeader): Uint8Array {
  const v = h.firmwareVersion;
  if (!isU8(v.major) || !isU8(v.minor) || !isU8(v.patch)) throw new RangeError('firmware version parts must be 0..255');
  if (!Number.isInteger(h.codeLength) || h.codeLength < 0 || h.codeLength > 0xffffffff)
    throw new RangeError('code length out of range');
  if (h.codeSha256.length !== 32 || h.keyId.length !== IMAGE_KEY_ID_LENGTH)
    throw new RangeError('bad hash or key id length');
  const out = new Uint8Array(IMAGE_HEADER_LENGTH);
  const dv = new DataView(out.buffer);
  out.set(IMAGE_MAGIC, HeaderOffset.MAGIC);
  dv.setUint16(HeaderOffset.FORMAT_VERSION, h.formatVersion, true);
  dv.setUint16(HeaderOffset.FLAGS, h.flags, true);
  out[HeaderOffset.FIRMWARE_VERSION] = v.major;
  out[HeaderOffset.FIRMWARE_VERSION + 1] = v.minor;
  out[HeaderOffset.FIRMWARE_VERSION + 2] = v.patch;
  out[HeaderOffset.FIRMWARE_VERSION + 3] = 0;
  dv.setUint32(HeaderOffset.CODE_LENGTH, h.codeLength, true);
  out.set(h.codeSha256, HeaderOffset.CODE_SHA256);
  out.set(h.keyId, HeaderOffset.KEY_ID);
  return out;
}

/** Why a header was refused: which field, so parseImage can map it to a status. */
export type HeaderProblem = 'magic' | 'version' | 'flags' | 'reserved';

/**
 * Reads the fixed header from the first 60 bytes of `bytes` (caller checked the length).
 * Returns the problem instead of throwing: the bytes are untrusted.
 */
export function decodeHeader(bytes: Uint8Array): { header: ImageHeader } | { problem: HeaderProblem } {
  for (let i = 0; i < IMAGE_MAGIC.length; i++) if (bytes[i] !== IMAGE_MAGIC[i]) return { problem: 'magic' };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, IMAGE_HEADER_LENGTH);
  const formatVersion = dv.getUint16(HeaderOffset.FORMAT_VERSION, true);
  if (formatVersion !== IMAGE_FORMAT_VERSION) return { problem: 'version' };
  const flags = dv.getUint16(HeaderOffset.FLAGS, true);
  if ((flags & ~IMAGE_FLAGS_KNOWN) !== 0) return { problem: 'flags' };
  const fv = HeaderOffset.FIRMWARE_VERSION;
  if (bytes[fv + 3] !== 0) return { problem: 'reserved' };
  return {
    header: {
      formatVersion,
      flags,
      firmwareVersion: { major: bytes[fv], minor: bytes[fv + 1], patch: bytes[fv + 2] },
      codeLength: dv.getUint32(HeaderOffset.CODE_LENGTH, true),
      // Copies, so a caller that keeps the header does not pin or alias the image buffer.
      codeSha256: bytes.slice(HeaderOffset.CODE_SHA256, HeaderOffset.CODE_SHA256 + 32),
      keyId: bytes.slice(HeaderOffset.KEY_ID, HeaderOffset.KEY_ID + IMAGE_KEY_ID_LENGTH),
    },
  };
}
