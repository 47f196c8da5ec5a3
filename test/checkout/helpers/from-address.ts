/**
 * Requests from a chosen loopback source address (node:http `localAddress`), so a test can
 * play many clients: Linux routes all of 127.0.0.0/8 to the loopback interface. Only
 * loopback addresses are ever used. And a flood: N connections, each sending one request
 * after another (keep-alive) until stopped, as an attacker's script would.
 */
import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  name: string;
  retryAfter: string | undefined;
  contentType: string;
  text: string;
}

/** 127.0.0.(2 + i): the i-th stranger (i < 250); 127.0.0.1 stays the legitimate client's. */
export function stranger(i: number): string {
  if (i < 0 || i > 249) throw new Error('only 127.0.0.2 … 127.0.0.251');
  return `127.0.0.${2 + i}`;
}

export function post(
  base: string,
  path: string,
  body: unknown,
  opts: { from?: string; agent?: Agent; form?: boolean; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const u = new URL(base);
  const bytes = Buffer.from(
    opts.form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  );
  const headers = {
    'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json',
    ...opts.headers,
  };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path,
        headers,
        localAddress: opts.from ?? '127.0.0.1',
        agent: opts.agent,
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let name = '';
          try {
            name = (JSON.parse(text) as { error?: { name?: string } }).error?.name ?? '';
          } catch {
            // an HTML page or an empty body
          }
          const ra = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            name,
            retryAfter: typeof ra === 'string' ? ra : undefined,
            contentType: String(res.headers['content-type'] ?? ''),
            text,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.end(bytes);
  });
}

export interface Flood {
  /** Answers so far by HTTP status (0: transport error). */
  readonly answers: Map<number, number>;
  /** Answers so far per connection. */
  readonly perConnection: number[];
  total(): number;
  stop(): Promise<void>;
}

/** `connections` loops, loop i sending from `from(i)` the body `body(i, n)` of its n-th request. */
export function startFlood(
  base: string,
  path: string,
  connections: number,
  from: (i: number) => string,
  body: (i: number, n: number) => unknown,
): Flood {
  const answers = new Map<number, number>();
  const perConnection = new Array<number>(connections).fill(0);
  let stopped = false;
  const loops = Array.from({ length: connections }, async (_, i) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let n = 0; !stopped; n++) {
        let status = 0;
        try {
          status = (await post(base, path, body(i, n), { from: from(i), agent })).status;
        } catch {
          // counted as 0 below; the server refusing connections is an answer too
        }
        answers.set(status, (answers.get(status) ?? 0) + 1);
        perConnection[i]++;
      }
    } finally {
      agent.destroy();
    }
  });
  return {
    answers,
    perConnection,
    total: () => [...answers.values()].reduce((a, b) => a + b, 0),
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
