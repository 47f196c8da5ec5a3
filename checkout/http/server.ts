/**
 * The checkout's HTTP server (node:http, or node:https with a certificate; loopback by
 * default): the JSON API and the server-rendered pages on one port. Every request ends in
 * exactly one reply, and every refusal is rendered here from its status code (JSON error
 * object for the API, a small page for the web), so no handler can answer in its own way.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Status, type StatusCode, statusName } from '../../shared/status/codes.ts';
import { WristpayError, statusOf } from '../../shared/status/error.ts';
import type { ErrorJson } from '../api/types.ts';
import type { Checkout } from '../checkout.ts';
import { CheckoutError, refuse } from '../core/errors.ts';
import { toBase64Url } from '../api/base64url.ts';
import { errorPage } from '../web/pages.ts';
import { bandLoginRoutes } from '../web/band-login.ts';
import { webRoutes } from '../web/routes.ts';
import { apiRoutes, challengeJson } from './api-routes.ts';
import { drainServer } from './drain.ts';
import { type OpsState, PROBE_PATTERNS, opsRoutes } from './ops-routes.ts';
import { readBody } from './request.ts';
import { type LogLevel, type Logger, type Seen, createLogger, requestIdOf } from './request-log.ts';
import { clientAddress } from './client-address.ts';
import { NO_PROXY, type Peer, type ProxyTrust, resolvePeer } from './proxy-trust.ts';
import { identityRoutes } from './identity-routes.ts';
import { isLoopbackHost, originOf, requireSameOrigin } from './same-origin.ts';
import { TLS_MIN_VERSION, type TlsFiles } from './tls.ts';
import { type Reply, Router, makeContext } from './router.ts';
import { httpStatusOf, refusalHeaders } from './status-map.ts';

export interface ServerOptions {
  port?: number;
  host?: string;
  /** The URL terminals should use (pairing QR codes); defaults to the address bound. */
  publicUrl?: string;
  /** The structured log; made from `log`/`logLevel` when absent (request-log.ts). */
  logger?: Logger;
  /** Receives each JSON log line instead of stderr (`() => undefined` silences the log). */
  log?: (line: string) => void;
  logLevel?: LogLevel;
  /** Serve GET /metrics on this port (same host, plain HTTP) instead of the main one; 0 picks a free port. */
  metricsPort?: number;
  /** Serve HTTPS with this certificate and key (tls.ts loadTls). */
  tls?: Pick<TlsFiles, 'cert' | 'key'>;
  /** Proxies whose X-Forwarded-For/-Proto are believed (proxy-trust.ts); none by default. */
  trustProxy?: ProxyTrust;
}
export interface RunningServer {
  url: string;
  /** Where GET /metrics is served (the main URL unless metricsPort was given). */
  metricsUrl: string;
  /** Stops at once: open connections are dropped. */
  close(): Promise<void>;
  /**
   * Graceful stop: /readyz answers 503, no new connection is accepted, requests in flight
   * are answered (each with "Connection: close"), then the server closes. Connections still
   * busy after `timeoutMs` are dropped; `forced` says how many requests were cut that way.
   */
  shutdown(timeoutMs: number): Promise<{ forced: number }>;
  /** HTTPS only: new connections use this certificate and key; open ones keep theirs. */
  reloadTls(tls: Pick<TlsFiles, 'cert' | 'key'>): void;
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" on our own form
  // posts (Fetch Standard, "append a request `Origin` header"), which the CSRF check (same-origin.ts) must
  // refuse. Other sites still get no referrer.
  'referrer-policy': 'same-origin',
};
/**
 * HSTS on every answer to a client that spoke HTTPS (RFC 6797): once a browser has seen it,
 * it never again sends the session cookie, a password or a form over plain HTTP to this
 * host, even when a link or a network attacker says http://. One year, the value the HSTS
 * preload list asks for; no includeSubDomains (the checkout does not speak for its parent
 * domain's other hosts) and no preload (an operator's decision). Not on loopback hosts:
 * browsers would pin localhost to HTTPS for a year, for every other server a developer runs.
 */
const HSTS = 'max-age=31536000';
const HTML_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const CONTENT_TYPES: Record<Reply['type'], string> = {
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

export function errorJson(err: unknown): ErrorJson {
  const status = statusOf(err);
  const out: ErrorJson = {
    error: {
      status,
      name: statusName(status) ?? 'INTERNAL',
      message: err instanceof WristpayError ? err.message : 'internal error; nothing was changed',
    },
  };
  if (err instanceof CheckoutError) {
    if (err.extras.result) out.result = toBase64Url(err.extras.result);
    if (err.extras.challenge) out.challenge = challengeJson(err.extras.challenge);
  }
  return out;
}

export async function startCheckoutServer(checkout: Checkout, options: ServerOptions = {}): Promise<RunningServer> {
  const state: OpsState = { draining: false };
  const router = new Router();
  for (const r of [
    ...opsRoutes(state, options.metricsPort === undefined),
    ...apiRoutes,
    ...identityRoutes,
    ...webRoutes,
    ...bandLoginRoutes,
  ])
    router.add(r);
  const logger = options.logger ?? createLogger({ level: options.logLevel, write: options.log });
  const trust = options.trustProxy ?? NO_PROXY;
  let origin = '';
  let ownOrigins: string[] = [];
  let inFlight = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    const reqId = requestIdOf(req);
    const seen: Seen = {};
    let kind: 'api' | 'web' = (req.url ?? '').startsWith('/v1/') ? 'api' : 'web';
    let pattern = 'unmatched';
    let status: StatusCode = Status.OK;
    let reply: Reply;
    const peer = resolvePeer(req.socket.remoteAddress, options.tls !== undefined, req.headers, trust);
    try {
      const url = parseTarget(req.url);
      const { route, params } = router.match(req.method ?? 'GET', url.pathname);
      kind = route.kind;
      pattern = route.pattern;
      // Every web route that changes state, before its body is read (same-origin.ts).
      if (route.kind === 'web') requireSameOrigin(req, ownOrigins, peer.secure);
      const body = await readBody(req, checkout.ctx.config.maxBodyBytes);
      const client = { client: clientAddress(peer.address), secure: peer.secure };
      reply = await route.handler(makeContext(req, checkout, url, params, body, origin, client, seen));
    } catch (err) {
      status = statusOf(err);
      if (!(err instanceof WristpayError))
        logger.error({ reqId, method: req.method, route: pattern, err }, 'internal error');
      const http = httpStatusOf(status, err instanceof CheckoutError && err.extras.byBand === true);
      reply =
        kind === 'api'
          ? { status: http, type: 'json', body: JSON.stringify(errorJson(err)), headers: refusalHeaders(err) }
          : { status: http, type: 'html', body: errorPage(errorJson(err).error), headers: refusalHeaders(err) };
      if (status === Status.PAYLOAD_TOO_LARGE) reply.headers = { ...reply.headers, connection: 'close' };
    }
    send(req, res, reply, reqId, state.draining, peer);
    const seconds = (performance.now() - started) / 1000;
    checkout.metrics.http(req.method ?? '', pattern, reply.status, status, seconds);
    // Ids only, never a body, header or raw path (request-log.ts).
    const line = {
      reqId,
      method: req.method,
      route: pattern,
      status: reply.status,
      refusal: status === Status.OK ? undefined : statusName(status),
      client: peer.address,
      ms: Math.round(seconds * 1e4) / 10,
      ...seen,
    };
    if (PROBE_PATTERNS.has(pattern)) logger.debug(line, 'request');
    else logger.info(line, 'request');
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    handle(req, res).catch((e) => {
      logger.error({ err: e }, 'failed to answer');
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
  // https.Server is an http.Server with TLS beneath (the same request and connection API).
  const https = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: TLS_MIN_VERSION }, onRequest)
    : undefined;
  const server: Server = https ?? createServer(onRequest);
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;

  const host = options.host ?? '127.0.0.1';
  const url = await listen(server, options.port ?? 0, host, options.tls ? 'https' : 'http');
  origin = options.publicUrl ?? url;
  ownOrigins = [...new Set([originOf(origin), originOf(url)])];
  const metricsServer = options.metricsPort === undefined ? undefined : createMetricsServer(checkout, logger);
  let metricsUrl = url;
  try {
    if (metricsServer) metricsUrl = await listen(metricsServer, options.metricsPort as number, host, 'http');
  } catch (e) {
    await closeNow(server); // the metrics port is taken: no half-started server left listening
    throw e;
  }
  logger.info({ url, metricsUrl }, 'listening');

  return {
    url,
    metricsUrl,
    close: async () => {
      if (metricsServer) await closeNow(metricsServer);
      await closeNow(server);
    },
    reloadTls: (tls) => {
      if (!https) throw new Error('reloadTls: the server was started without a certificate');
      https.setSecureContext({ cert: tls.cert, key: tls.key, minVersion: TLS_MIN_VERSION });
    },
    shutdown: async (timeoutMs) => {
      state.draining = true;
      const { forced } = await drainServer(server, timeoutMs, () => inFlight);
      if (forced > 0) logger.warn({ forced, timeoutMs }, 'shutdown deadline passed: requests still busy were dropped');
      if (metricsServer) await closeNow(metricsServer);
      return { forced };
    },
  };
}

function closeNow(s: Server): Promise<void> {
  return new Promise<void>((done) => {
    s.close(() => done());
    s.closeAllConnections();
  });
}

function listen(server: Server, port: number, host: string, scheme: 'http' | 'https'): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve(`${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`);
    });
  });
}

/** --metrics-port: GET /metrics and nothing else, so the public port need not expose it. */
function createMetricsServer(checkout: Checkout, logger: Logger): Server {
  return createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': CONTENT_TYPES.text }).end('GET /metrics\n');
      return;
    }
    checkout.metrics.scrape().then(
      (text) =>
        res.writeHead(200, { 'content-type': checkout.metrics.contentType, 'cache-control': 'no-store' }).end(text),
      (err: unknown) => {
        logger.error({ err }, 'metrics scrape failed');
        res.writeHead(500, { 'content-type': CONTENT_TYPES.text }).end('scrape failed\n');
      },
    );
  });
}

function parseTarget(target: string | undefined): URL {
  // Only origin-form targets ("/path?query"); anything else is not for us.
  if (!target?.startsWith('/') || target.startsWith('//')) refuse(Status.MALFORMED, 'request target must be a path');
  try {
    return new URL(target, 'http://checkout.invalid');
  } catch {
    refuse(Status.MALFORMED, 'unparseable request target');
  }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  reqId: string,
  draining: boolean,
  peer: Peer,
): void {
  const host = req.headers.host;
  const headers: Record<string, string | string[]> = {
    ...SECURITY_HEADERS,
    ...(peer.secure && !(host && isLoopbackHost(host)) ? { 'strict-transport-security': HSTS } : {}),
    'content-type': CONTENT_TYPES[reply.type],
    ...(reply.type === 'html' ? { 'content-security-policy': HTML_CSP, 'x-frame-options': 'DENY' } : {}),
    ...reply.headers,
    'x-request-id': reqId,
  };
  // Refused before its body was read (unknown route): the socket is dropped below, so
  // tell the client not to send its next request on it. Shutting down: no next request
  // on this connection either (RFC 9112 §9.6), so it closes once this answer is out.
  if (!req.complete || draining) headers.connection = 'close';
  res.writeHead(reply.status, headers);
  res.end(reply.body);
  if (!req.complete) {
    // A refused body still arriving (413): let it drain briefly so the client reads our
    // answer, then drop the connection rather than read an unbounded upload.
    req.resume();
    setTimeout(() => req.socket.destroy(), 1000).unref();
  }
}
