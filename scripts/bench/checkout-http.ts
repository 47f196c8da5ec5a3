/**
 * The same payments through HTTP: `POST /v1/challenges/:id/answer`, terminal-signed, on a
 * keep-alive connection per lane (one band per lane, so each card's counters arrive in
 * order). Client and server share this process and its core: the figure is what one core
 * does with both ends, a lower bound for the server alone. Requests are built and signed
 * before the clock starts; the signature check on the server is timed.
 */
import { Agent, request } from 'node:http';
import { startCheckoutServer } from '../../checkout/http/server.ts';
import { toBase64Url } from '../../checkout/api/base64url.ts';
import type { BenchCheckout } from './checkout-setup.ts';

interface Post {
  path: string;
  body: Buffer;
  headers: Record<string, string>;
}

function post(agent: Agent, port: number, r: Post): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: r.path, headers: r.headers, agent }, (res) => {
      res.resume();
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

/** Best of three slices of `perLane` payments on each of `lanes` concurrent connections, payments/s. */
export async function benchCheckoutHttp(bc: BenchCheckout, lanes: number, perLane: number): Promise<number> {
  const server = await startCheckoutServer(bc.checkout, { port: 0, log: () => undefined });
  const port = Number(new URL(server.url).port);
  let agent: Agent | undefined;
  try {
    let best = 0;
    for (let slice = 0; slice < 3; slice++) {
      const work: Post[][] = (await bc.prepareLanes(perLane)).map((prepared) =>
        prepared.map((p) => {
          const path = `/v1/challenges/${encodeURIComponent(p.challengeId)}/answer`;
          const body = Buffer.from(JSON.stringify({ answer: toBase64Url(p.answer) }));
          const headers = {
            'content-type': 'application/json',
            'content-length': String(body.length),
            ...bc.signers[p.lane].headers('POST', path, body),
          };
          return { path, body, headers };
        }),
      );
      // Fresh connections per slice: preparing the next slice outlasts the server's keep-alive timeout.
      agent?.destroy();
      const conn = new Agent({ keepAlive: true, maxSockets: lanes });
      agent = conn;
      const start = performance.now();
      await Promise.all(
        work.map(async (list) => {
          for (const r of list) {
            const status = await post(conn, port, r);
            if (status !== 200) throw new Error(`bench: HTTP answer refused with ${status}`);
          }
        }),
      );
      best = Math.max(best, (lanes * perLane * 1000) / (performance.now() - start));
    }
    return Math.round(best);
  } finally {
    agent?.destroy();
    await server.close();
  }
}
