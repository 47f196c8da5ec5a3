/**
 * Sending whatever we like to the checkout: any method, path, headers and body through
 * node:http, and raw bytes over a socket for what node:http refuses to send (bad request
 * lines, lying content-length, header floods). Transport errors resolve as status 0.
 */
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export interface RawReply {
  status: number;
  contentType: string;
  text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

export function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Uint8Array,
): Promise<RawReply> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers, agent, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', () => resolve({ status: 0, contentType: '', text: '' }));
    });
    req.on('error', () => resolve({ status: 0, contentType: '', text: '' }));
    req.on('timeout', () => req.destroy());
    req.end(body?.length ? body : undefined);
  });
}

/** Writes `bytes` on a fresh connection and returns the status line's code (0: closed without one). */
export function sendRaw(base: string, bytes: Uint8Array | string, waitMs = 1500): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname);
    let got = '';
    const done = () => {
      s.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      resolve(m ? Number(m[1]) : 0);
    };
    s.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (/\r\n\r\n/.test(got)) done();
    });
    s.on('error', done);
    s.on('close', done);
    s.setTimeout(waitMs, done);
    s.write(bytes);
  });
}

export function closeAgent(): void {
  agent.destroy();
}
