/**
 * base64url (RFC 4648 §5, no padding): how the checkout's HTTP API carries bytes in JSON,
 * headers and paths, for the server and its client alike.
 */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Strict base64url: only the URL-safe alphabet, no padding, and canonical (Node's
 * decoder silently skips junk and ignores stray bits; re-encoding catches both).
 */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const bytes = new Uint8Array(Buffer.from(text, 'base64url'));
  return toBase64Url(bytes) === text ? bytes : null;
}
