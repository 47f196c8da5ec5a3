/**
 * A small router: method + path pattern (":name" segments) → handler. Handlers get a
 * request context with the body already read and helpers for the three kinds of caller
 * (account session, signed terminal, anonymous); they return a Reply and never write
 * to the response themselves, so one place (server.ts) renders every outcome.
 */
import type { IncomingMessage } from 'node:http';
import { Status } from '../../shared/status/codes.ts';
import type { Checkout } from '../checkout.ts';
import type { Authenticated } from '../core/accounts.ts';
import { refuse } from '../core/errors.ts';
import type { AccountKind, TerminalRow } from '../store.ts';
import { TerminalHeader } from '../api/terminal-auth.ts';
import { type Fields, bearerToken, header, parseJsonObject } from './request.ts';
import type { Seen } from './request-log.ts';

/** `headers`: a list for a header sent more than once (two Set-Cookie). `text`: plain text (metrics). */
export interface Reply {
  status: number;
  body: string;
  type: 'json' | 'html' | 'text';
  headers?: Record<string, string | string[]>;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly checkout: Checkout;
  readonly url: URL;
  readonly params: Record<string, string>;
  readonly body: Uint8Array;
  /** Origin the client reached us at (for QR codes and redirects). */
  readonly origin: string;
  /** The client's rate-limit key (client-address.ts), through trusted proxies (proxy-trust.ts). */
  readonly client: string;
  /** The client spoke HTTPS, to us or to a trusted proxy: cookies are then Secure. */
  readonly secure: boolean;
  json(): Fields;
  /** The logged-in account behind the bearer token (401 without one). */
  session(kind?: AccountKind): Promise<Authenticated>;
  /** The terminal behind the signature headers (401 when missing or wrong). */
  terminal(): Promise<TerminalRow>;
  /** The signing terminal if the request is signed at all, else null. */
  maybeTerminal(): Promise<TerminalRow | null>;
}

export type Handler = (c: RequestContext) => Promise<Reply>;
export interface Route {
  method: string;
  pattern: string;
  kind: 'api' | 'web';
  handler: Handler;
}

export function json(body: unknown, status = 200): Reply {
  return { status, body: JSON.stringify(body), type: 'json' };
}

interface Match {
  route: Route;
  params: Record<string, string>;
}

export class Router {
  private readonly routes: Array<{ route: Route; parts: string[] }> = [];

  add(route: Route): this {
    this.routes.push({ route, parts: route.pattern.split('/') });
    return this;
  }

  /** The route for a request, or NOT_FOUND; a malformed %-escape in the path is MALFORMED. */
  match(method: string, pathname: string): Match {
    const segs = pathname.split('/');
    for (const { route, parts } of this.routes) {
      if (route.method !== method || parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        if (parts[i].startsWith(':')) {
          if (segs[i] === '') ok = false;
          else params[parts[i].slice(1)] = decodeSegment(segs[i]);
        } else ok = parts[i] === segs[i];
      }
      if (ok) return { route, params };
    }
    refuse(Status.NOT_FOUND, `no route ${method} ${pathname}`);
  }
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    refuse(Status.MALFORMED, 'the path holds a malformed %-escape');
  }
}

/** `seen`: filled with the ids of the caller once authenticated, for the request's log line. */
export function makeContext(
  req: IncomingMessage,
  checkout: Checkout,
  url: URL,
  params: Record<string, string>,
  body: Uint8Array,
  origin: string,
  peer: { client: string; secure: boolean },
  seen: Seen,
): RequestContext {
  let fields: Fields | undefined;
  const signed = (): boolean =>
    header(req, TerminalHeader.ID) !== undefined || header(req, TerminalHeader.SIGNATURE) !== undefined;
  const terminal = async (): Promise<TerminalRow> => {
    const t = await checkout.authenticateTerminal(
      {
        terminalId: header(req, TerminalHeader.ID),
        timestamp: header(req, TerminalHeader.TIMESTAMP),
        signature: header(req, TerminalHeader.SIGNATURE),
      },
      req.method ?? 'GET',
      req.url ?? '/',
      body,
    );
    seen.terminalId = t.id;
    seen.merchantId = t.merchantId;
    return t;
  };
  return {
    req,
    checkout,
    url,
    params,
    body,
    origin,
    client: peer.client,
    secure: peer.secure,
    json: () => (fields ??= parseJsonObject(body)),
    session: async (kind) => {
      const a = await checkout.authenticate(bearerToken(req), kind);
      seen.accountId = a.account.id;
      return a;
    },
    terminal,
    maybeTerminal: async () => (signed() ? terminal() : null),
  };
}
