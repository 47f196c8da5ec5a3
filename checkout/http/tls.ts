/**
 * The certificate and key `checkout start --tls-cert/--tls-key` serves HTTPS with, read and
 * checked before the store is opened: a missing file, a PEM that is not one, or a key that
 * does not belong to the certificate is a one-line error at start, not a failed handshake
 * for the first customer.
 *
 * TLS 1.2 is the oldest version accepted (Node's default, stated here so a later change of
 * default cannot lower it): TLS 1.0 and 1.1 are deprecated by RFC 8996, and PCI DSS has
 * required at least 1.2 since 2018. Cipher suites are Node's (OpenSSL's) defaults.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type SecureVersion, createSecureContext } from 'node:tls';

export const TLS_MIN_VERSION: SecureVersion = 'TLSv1.2';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** When the (leaf) certificate expires, for the start line and the operator. */
  validTo: Date;
}

export class TlsSetupError extends Error {
  override name = 'TlsSetupError';
}

export function loadTls(certFile: string, keyFile: string): TlsFiles {
  const cert = read(certFile, '--tls-cert');
  const key = read(keyFile, '--tls-key');
  let validTo: Date;
  try {
    validTo = new Date(new X509Certificate(cert).validTo);
  } catch (e) {
    throw new TlsSetupError(`--tls-cert ${certFile}: not a PEM certificate (${reason(e)})`);
  }
  try {
    createSecureContext({ cert, key, minVersion: TLS_MIN_VERSION });
  } catch (e) {
    throw new TlsSetupError(`--tls-key ${keyFile} does not go with --tls-cert ${certFile}: ${reason(e)}`);
  }
  return { cert, key, validTo };
}

function read(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new TlsSetupError(`${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? reason(e)})`);
  }
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
