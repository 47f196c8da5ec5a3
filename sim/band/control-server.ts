/**
 * The running simulator's loopback HTTP server: the web UI (GET /), its live event
 * stream (GET /events) and the control API that `wristpay sim wear|press|charge|status|
 * reboot` and tests use. Every request but the page needs the run's random token
 * (`Authorization: Bearer <token>`, or `?token=` for the event stream, which EventSource
 * cannot give headers); the page carries the token, and only pages served from this very
 * host:port can read it (other origins cannot read the response, and a Host check stops
 * DNS rebinding).
 *
 *   GET  /api/status                     { simulator, bands: SimBandStatus[] }
 *   POST /api/bands/K/wear   {"on":bool}  raw wear-sensor sample
 *   POST /api/bands/K/charge {"on":bool}
 *   POST /api/bands/K/press
 *   POST /api/bands/K/reboot
 *   POST /api/bands/K/power-cut {"after":n}   cut power at the n-th next flash program/erase
 * Answers: 200 { ok: true, band: SimBandStatus } or 4xx { ok: false, error }.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LiveEvents } from './live-events.ts';
import type { SimBand } from './sim-band.ts';
import { renderPage } from './ui-page.ts';

export interface ControlServerOptions {
  port: number;
  token: string;
  bands: () => readonly SimBand[];
  /** Facts about the run for /api/status (ports, state dir, …). */
  info: () => Record<string, unknown>;
}

export interface ControlServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY = 4096;

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      try {
        const v = JSON.parse(text) as unknown;
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, 'body must be a JSON object'));
      }
    });
    req.on('error', reject);
  });
}

function tokenOk(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bool(body: Record<string, unknown>, key: string): boolean {
  if (typeof body[key] !== 'boolean') throw new HttpError(400, `body needs {"${key}": true|false}`);
  return body[key] as boolean;
}

/** Runs one control action on a band. */
function act(band: SimBand, action: string, body: Record<string, unknown>): void {
  switch (action) {
    case 'wear':
      return band.setWorn(bool(body, 'on'));
    case 'charge':
      return band.setCharging(bool(body, 'on'));
    case 'battery': {
      const p = body.percent;
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 100)
        throw new HttpError(400, 'body needs {"percent": n} with n a whole number from 0 to 100');
      return band.setBattery(p);
    }
    case 'press':
      return band.press();
    case 'reboot':
      return band.reboot();
    case 'power-cut': {
      const n = body.after;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1_000_000)
        throw new HttpError(400, 'body needs {"after": n} with n a whole number >= 1');
      return band.powerCutAfter(n);
    }
    default:
      throw new HttpError(
        404,
        `unknown action "${action.slice(0, 40)}" (wear, charge, battery, press, reboot, power-cut)`,
      );
  }
}

export async function startControlServer(opts: ControlServerOptions): Promise<ControlServer> {
  const live = new LiveEvents(opts.bands);
  let port = opts.port;
  const hostOk = (h: string | undefined): boolean =>
    h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const code = err instanceof HttpError ? err.code : 500;
      if (!res.headersSent) json(res, code, { ok: false, error: err instanceof Error ? err.message : String(err) });
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostOk(req.headers.host)) throw new HttpError(403, 'requests must name the loopback host (Host header)');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (req.method === 'GET' && url.pathname === '/') {
      res
        .writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'x-frame-options': 'DENY',
        })
        .end(renderPage(opts.token));
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!tokenOk(bearer ?? url.searchParams.get('token'), opts.token))
      throw new HttpError(401, 'missing or wrong token (see control.json in the state directory)');
    if (req.method === 'GET' && url.pathname === '/events') return live.open(res);
    if (req.method === 'GET' && url.pathname === '/api/status')
      return json(res, 200, { ok: true, simulator: opts.info(), ...live.snapshot() });
    const m = /^\/api\/bands\/(\d{1,3})\/([a-z-]{1,20})$/.exec(url.pathname);
    if (!m) throw new HttpError(404, `no route ${req.method} ${url.pathname}`);
    if (req.method !== 'POST') throw new HttpError(405, 'band actions are POST');
    const band = opts.bands().find((b) => b.index === Number(m[1]));
    if (!band)
      throw new HttpError(
        404,
        `no band ${m[1]} (this simulator runs ${opts
          .bands()
          .map((b) => b.index)
          .join(', ')})`,
      );
    const body = await readBody(req);
    act(band, m[2], body);
    json(res, 200, { ok: true, band: band.status() });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address();
  port = typeof a === 'object' && a !== null ? a.port : opts.port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      live.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
    },
  };
}
