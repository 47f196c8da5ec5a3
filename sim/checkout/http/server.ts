/**
 * The checkout's HTTP server (node:http, loopback by default): the JSON API and the
 * server-rendered pages on one port. Every request ends in exactly one reply, and every
 * refusal is rendered here from its status code (JSON error object for the API, a small
 * page for the web), so no handler can answer in its own way.
 */
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Status, statusName } from '../../../shared/status/codes.ts';
import { WristpayError, statusOf } from '../../../shared/status/error.ts';
import type { ErrorJson } from '../api-types.ts';
import type { Checkout } from '../checkout.ts';
import { CheckoutError, refuse } from '../core/errors.ts';
import { toBase64Url } from '../core/ids.ts';
import { errorPage } from '../web/pages.ts';
import { webRoutes } from '../web/routes.ts';
import { apiRoutes, challengeJson } from './api-routes.ts';
import { readBody } from './request.ts';
import { originOf, requireSameOrigin } from './same-origin.ts';
import { Reply, Router, makeContext } from './router.ts';
import { httpStatusOf, refusalHeaders } from './status-map.ts';

export interface ServerOptions {
  port?: number;
  host?: string;
  /** The URL terminals should use (pairing QR codes); defaults to the address bound. */
  publicUrl?: string;
  log?: (line: string) => void;
}
export interface RunningServer { url: string; close(): Promise<void> }

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" on our own form
  // posts (Fetch Standard, "append a request `Origin` header"), which the CSRF check (same-origin.ts) must
  // refuse. Other sites still get no referrer.
  'referrer-policy': 'same-origin',
};
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function errorJson(err: unknown): ErrorJson {
  const status = statusOf(err);
  const out: ErrorJson = {
    error: { status, name: statusName(status) ?? 'INTERNAL', message: err instanceof WristpayError ? err.message : 'internal error; nothing was changed' },
  };
  if (err instanceof CheckoutError) {
    if (err.extras.result) out.result = toBase64Url(err.extras.result);
    if (err.extras.challenge) out.challenge = challengeJson(err.extras.challenge);
  }
  return out;
}

export function startCheckoutServer(checkout: Checkout, options: ServerOptions = {}): Promise<RunningServer> {
  const router = new Router();
  for (const r of [...apiRoutes, ...webRoutes]) router.add(r);
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  let origin = '';
  let ownOrigins: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let kind: 'api' | 'web' = (req.url ?? '').startsWith('/v1/') ? 'api' : 'web';
    let reply: Reply;
    try {
      const url = parseTarget(req.url);
      const { route, params } = router.match(req.method ?? 'GET', url.pathname);
      kind = route.kind;
      // Every web route that changes state, before its body is read (same-origin.ts).
      if (route.kind === 'web') requireSameOrigin(req, ownOrigins);
      const body = await readBody(req, checkout.ctx.config.maxBodyBytes);
      reply = await route.handler(makeContext(req, checkout, url, params, body, origin));
    } catch (err) {
      if (!(err instanceof WristpayError)) log(`checkout: internal error on ${req.method} ${req.url}: ${err instanceof Error ? err.stack : String(err)}`);
      const status = httpStatusOf(statusOf(err), err instanceof CheckoutError && err.extras.byBand === true);
      reply = kind === 'api'
        ? { status, type: 'json', body: JSON.stringify(errorJson(err)), headers: refusalHeaders(err) }
        : { status, type: 'html', body: errorPage(errorJson(err).error), headers: refusalHeaders(err) };
      if (statusOf(err) === Status.PAYLOAD_TOO_LARGE) reply.headers = { ...reply.headers, connection: 'close' };
    }
    send(req, res, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      log(`checkout: failed to answer: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      const url = `http://${host}:${a.port}`;
      origin = options.publicUrl ?? url;
      ownOrigins = [...new Set([originOf(origin), originOf(url)])];
      resolve({
        url,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}

function parseTarget(target: string | undefined): URL {
  // Only origin-form targets ("/path?query"); anything else is not for us.
  if (!target || !target.startsWith('/') || target.startsWith('//')) refuse(Status.MALFORMED, 'request target must be a path');
  try {
    return new URL(target, 'http://checkout.invalid');
  } catch {
    refuse(Status.MALFORMED, 'unparseable request target');
  }
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | string[]> = {
    ...SECURITY_HEADERS,
    'content-type': reply.type === 'json' ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8',
    ...(reply.type === 'html' ? { 'content-security-policy': HTML_CSP, 'x-frame-options': 'DENY' } : {}),
    ...reply.headers,
  };
  // Refused before its body was read (unknown route): the socket is dropped below, so
  // tell the client not to send its next request on it.
  if (!req.complete) headers.connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(reply.body);
  if (!req.complete) {
    // A refused body still arriving (413): let it drain briefly so the client reads our
    // answer, then drop the connection rather than read an unbounded upload.
    req.resume();
    setTimeout(() => req.socket.destroy(), 1000).unref();
  }
}
