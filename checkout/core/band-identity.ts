/**
 * Band identifiers: deviceId = SHA-256(signingKey)[0..16] (docs/PROTOCOL.md §3). The
 * checkout keys its tables and URLs by the lower-case hex of those 16 bytes.
 */
import { fromHex, toHex } from '../../shared/crypto/bytes.ts';
import type { CryptoProvider } from '../../shared/crypto/provider.ts';
import { Size } from '../../shared/protocol/constants.ts';

export function deviceIdOf(provider: CryptoProvider, signingKey: Uint8Array): string {
  return toHex(provider.sha256(signingKey).subarray(0, Size.ID));
}

export function deviceIdBytes(deviceId: string): Uint8Array {
  return fromHex(deviceId);
}

export function deviceIdHex(bytes: Uint8Array): string {
  return toHex(bytes);
}
