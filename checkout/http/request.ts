/**
 * Reading requests as untrusted input: a bounded body, JSON that must be an object, and
 * typed field readers that refuse a wrong type with MALFORMED (HTTP 400) before any
 * handler logic runs.
 */
import type { IncomingMessage } from 'node:http';
import { Status } from '../../shared/status/codes.ts';
import { CheckoutError, refuse } from '../core/errors.ts';
import { fromBase64Url } from '../api/base64url.ts';

/** Reads the whole body, refusing (PAYLOAD_TOO_LARGE) as soon as it passes `limit`. */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(new Uint8Array(Buffer.concat(chunks)));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}

function tooLarge(limit: number): Error {
  return new CheckoutError(Status.PAYLOAD_TOO_LARGE, `request bodies are limited to ${limit} bytes`);
}

/** The body as a JSON object; an empty body reads as {} (for POSTs that carry nothing). */
export function parseJsonObject(body: Uint8Array): Fields {
  if (body.length === 0) return new Fields({});
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    refuse(Status.MALFORMED, 'the body is not valid UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    refuse(Status.MALFORMED, 'the body must be a JSON object');
  return new Fields(value as Record<string, unknown>);
}

interface Limits {
  max?: number;
}

/** Typed access to the fields of a JSON object; every miss is MALFORMED naming the field. */
export class Fields {
  constructor(readonly raw: Record<string, unknown>) {}

  private get(name: string): unknown {
    return Object.hasOwn(this.raw, name) ? this.raw[name] : undefined;
  }

  optionalString(name: string, limits: Limits = {}): string | undefined {
    const v = this.get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') refuse(Status.MALFORMED, `${name}: expected a string`);
    if (v.length > (limits.max ?? 1024))
      refuse(Status.MALFORMED, `${name}: longer than ${limits.max ?? 1024} characters`);
    return v;
  }

  string(name: string, limits: Limits = {}): string {
    const v = this.optionalString(name, limits);
    if (v === undefined) refuse(Status.MALFORMED, `${name}: required`);
    return v;
  }

  optionalInt(name: string): number | undefined {
    const v = this.get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) refuse(Status.MALFORMED, `${name}: expected an integer`);
    return v;
  }

  int(name: string): number {
    const v = this.optionalInt(name);
    if (v === undefined) refuse(Status.MALFORMED, `${name}: required`);
    return v;
  }

  optionalBool(name: string): boolean | undefined {
    const v = this.get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') refuse(Status.MALFORMED, `${name}: expected true or false`);
    return v;
  }

  /** A base64url field holding bytes (a protocol message or a key), at most `max` bytes. */
  bytes(name: string, max: number): Uint8Array {
    const text = this.string(name, { max: Math.ceil((max * 4) / 3) + 4 });
    const bytes = fromBase64Url(text);
    if (!bytes) refuse(Status.MALFORMED, `${name}: not canonical base64url`);
    if (bytes.length > max) refuse(Status.OVERSIZE, `${name}: more than ${max} bytes`);
    return bytes;
  }
}

/** The bearer token of an API request, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer ([A-Za-z0-9_-]{1,128})$/.exec(h.trim());
  return m ? m[1] : undefined;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}
