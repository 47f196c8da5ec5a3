/**
 * Signed terminal requests. A paired terminal holds its own ES256 key; every request it
 * makes carries three headers, and the signature covers what the relay could change:
 *
 *   x-wristpay-terminal:  terminal id (from pairing)
 *   x-wristpay-timestamp: the terminal's wall clock, integer milliseconds
 *   x-wristpay-signature: base64url(ES256 r||s) over the UTF-8 text
 *     "wristpay/1 terminal\n" METHOD "\n" PATH "\n" TIMESTAMP "\n" hex(SHA-256(body))
 *
 * PATH is the request target as sent (path and query). The checkout refuses a timestamp
 * more than `terminalSkewMs` away from its clock. Used by both the client (sign) and the
 * server (verify), so the two cannot drift apart.
 */
import { toHex } from '../../shared/crypto/bytes.ts';
import type { CryptoProvider, KeyHandle } from '../../shared/crypto/provider.ts';
import { fromBase64Url, toBase64Url } from './base64url.ts';

export const TerminalHeader = {
  ID: 'x-wristpay-terminal',
  TIMESTAMP: 'x-wristpay-timestamp',
  SIGNATURE: 'x-wristpay-signature',
} as const;

export function terminalSigningInput(
  provider: CryptoProvider,
  method: string,
  path: string,
  timestamp: string,
  body: Uint8Array,
): Uint8Array {
  const text = `wristpay/1 terminal\n${method.toUpperCase()}\n${path}\n${timestamp}\n${toHex(provider.sha256(body))}`;
  return new TextEncoder().encode(text);
}

export interface TerminalCredentials {
  terminalId: string;
  key: KeyHandle;
}

export function signTerminalRequest(
  provider: CryptoProvider,
  creds: TerminalCredentials,
  method: string,
  path: string,
  body: Uint8Array,
  now: number,
): Record<string, string> {
  const timestamp = String(Math.floor(now));
  const signature = provider.p256Sign(creds.key, terminalSigningInput(provider, method, path, timestamp, body));
  return {
    [TerminalHeader.ID]: creds.terminalId,
    [TerminalHeader.TIMESTAMP]: timestamp,
    [TerminalHeader.SIGNATURE]: toBase64Url(signature),
  };
}

export interface SignedRequestParts {
  terminalId: string;
  timestamp: string;
  signature: string;
}

/** Why a signed request was refused, or null when the signature and timestamp hold. */
export function checkTerminalSignature(
  provider: CryptoProvider,
  publicKey: Uint8Array,
  parts: SignedRequestParts,
  method: string,
  path: string,
  body: Uint8Array,
  now: number,
  skewMs: number,
): string | null {
  if (!/^[0-9]{1,16}$/.test(parts.timestamp)) return 'timestamp is not integer milliseconds';
  if (Math.abs(Number(parts.timestamp) - now) > skewMs) return 'timestamp is stale or in the future';
  const signature = fromBase64Url(parts.signature);
  if (signature?.length !== 64) return 'signature is not 64 bytes of base64url';
  const ok = provider.p256Verify(
    publicKey,
    terminalSigningInput(provider, method, path, parts.timestamp, body),
    signature,
  );
  return ok ? null : 'signature does not verify';
}
