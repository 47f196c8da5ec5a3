/**
 * A `fetch` for CheckoutClient on node:http with one keep-alive connection: a till keeps
 * its connection to the checkout open, and the load generator shares the machine with the
 * checkouts it measures, so each request should cost it as little as node can make it
 * (the global fetch, undici, costs several times more CPU per request).
 */
import { Agent, request } from 'node:http';

export function keepAliveFetch(): { fetch: typeof fetch; close(): void } {
  // An idle connection is closed here after 4 s, before the checkout's server closes it at 5 s
  // (node's default keepAliveTimeout): otherwise a till idle between slices can send on a
  // socket the server is closing, and the request dies with "socket hang up".
  const agent = new Agent({ keepAlive: true, maxSockets: 1, timeout: 4_000 });
  const send = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const body = init.body === undefined || init.body === null ? undefined : Buffer.from(init.body as Uint8Array);
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (body) headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, method: init.method, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const h = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
            resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0, headers: h }));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  return { fetch: send as typeof fetch, close: () => agent.destroy() };
}
