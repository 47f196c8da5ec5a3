/**
 * Packing signed images: header || code || ES256 signature over header || code
 * (layout in shared/image/header.ts). Build-side counterpart of shared/image/verify.ts.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  IMAGE_FLAG_DEV_KEY,
  IMAGE_FORMAT_VERSION,
  IMAGE_HEADER_LENGTH,
  encodeHeader,
  type FirmwareVersion,
} from '../../shared/image/header.ts';
import type { VendorKey } from './vendor-key.ts';

/** "1.2.3" (a prerelease/build suffix is ignored) to its three u8 parts; throws otherwise. */
export function parseFirmwareVersion(semver: string): FirmwareVersion {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(semver);
  if (!m) throw new Error(`version "${semver}" is not semver`);
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major > 255 || minor > 255 || patch > 255) throw new Error(`version "${semver}": each part must be at most 255`);
  return { major, minor, patch };
}

/** The complete flashable image for `code`, signed by `key`. */
export function packImage(code: string, version: FirmwareVersion, key: VendorKey): Uint8Array {
  const codeBytes = new TextEncoder().encode(code);
  const header = encodeHeader({
    formatVersion: IMAGE_FORMAT_VERSION,
    flags: key.dev ? IMAGE_FLAG_DEV_KEY : 0,
    firmwareVersion: version,
    codeLength: codeBytes.length,
    codeSha256: sha256(codeBytes),
    keyId: key.keyId,
  });
  const signed = new Uint8Array(IMAGE_HEADER_LENGTH + codeBytes.length);
  signed.set(header, 0);
  signed.set(codeBytes, IMAGE_HEADER_LENGTH);
  // prehash: ECDSA over SHA-256(header || code); lowS: the canonical form verifiers require.
  const signature = p256.sign(signed, key.privateKey, { prehash: true, lowS: true, format: 'compact' });
  const image = new Uint8Array(signed.length + signature.length);
  image.set(signed, 0);
  image.set(signature, signed.length);
  return image;
}
