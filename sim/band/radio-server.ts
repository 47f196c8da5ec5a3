/**
 * The simulator's radio: a websocket server speaking noble's websocket protocol on
 * loopback (default port 2846, where stock noble's websocket bindings dial
 * ws://localhost:2846). One CentralSession per client. Listens on 127.0.0.1 and, when
 * the host has it, on ::1 at the same port ("localhost" may resolve to either).
 * Refuses upgrades from web pages on other origins (a browser always sends Origin;
 * noble's Node client sends none).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CentralSession, type SessionHost } from './central-session.ts';
import type { SimBand } from './sim-band.ts';

export interface RadioServerOptions {
  port: number;
  bands: () => readonly SimBand[];
  log?: (line: string) => void;
}

export interface RadioServer {
  readonly port: number;
  /** Connected centrals. */
  clients(): number;
  close(): Promise<void>;
}

/** Frames above this are refused by ws with close code 1009 (a 512-byte write is ~1.2 KB of JSON). */
const MAX_FRAME = 16 * 1024;

function loopbackOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const h = new URL(origin).hostname;
    return h === 'localhost' || h === '127.0.0.1' || h === '[::1]';
  } catch {
    return false;
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const a = server.address();
      resolve(typeof a === 'object' && a !== null ? a.port : port);
    });
  });
}

export async function startRadioServer(opts: RadioServerOptions): Promise<RadioServer> {
  const log = opts.log ?? (() => {});
  const owners = new Map<SimBand, CentralSession>();
  const sessions = new Set<CentralSession>();
  let next = 1;
  const host: SessionHost = {
    bands: opts.bands,
    ownerOf: (band) => owners.get(band),
    setOwner: (band, s) => (s === undefined ? owners.delete(band) : owners.set(band, s)),
    log,
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  wss.on('connection', (ws, req: IncomingMessage) => {
    const session = new CentralSession(ws, host, `central ${next++} (${req.socket.remotePort ?? '?'})`);
    sessions.add(session);
    log(`radio: ${session.name} joined`);
    ws.on('message', (data, isBinary) => {
      if (isBinary)
        return session.error({
          type: 'error',
          code: 'malformed',
          message: 'binary frames are not part of the protocol; send JSON text',
        });
      session.handle(data.toString());
    });
    ws.on('error', (err) => log(`radio: ${session.name}: ${err.message}`)); // e.g. 1009 frame too big; 'close' follows
    ws.on('close', () => {
      session.close();
      sessions.delete(session);
      log(`radio: ${session.name} left`);
    });
  });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!loopbackOrigin(req.headers.origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  const makeServer = (): Server => {
    const s = createServer((_req, res) => {
      res
        .writeHead(426, { 'content-type': 'text/plain' })
        .end('wristpay band simulator: noble websocket protocol; connect with a websocket client\n');
    });
    s.on('upgrade', onUpgrade);
    return s;
  };
  const v4 = makeServer();
  const port = await listen(v4, opts.port, '127.0.0.1');
  const servers = [v4];
  const v6 = makeServer();
  try {
    await listen(v6, port, '::1');
    servers.push(v6);
  } catch {
    // no IPv6 loopback (or the port is taken there): 127.0.0.1 alone
  }
  return {
    port,
    clients: () => sessions.size,
    close: async () => {
      for (const s of sessions) s.close();
      for (const ws of wss.clients) ws.close(1001, 'simulator stopping');
      // Give the close handshake a moment, then cut whoever did not answer.
      const deadline = Date.now() + 300;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      for (const ws of wss.clients) ws.terminate();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((r) => {
              s.close(() => r());
              s.closeAllConnections();
            }),
        ),
      );
      wss.close();
    },
  };
}
