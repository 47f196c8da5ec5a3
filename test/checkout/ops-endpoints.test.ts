/**
 * Operating the checkout (issue 19): /healthz, /readyz and /metrics over real HTTP against
 * a real checkout on a SQLite file. Readiness fails for each reason it names (store gone,
 * schema not current, shutting down); the metrics count what happened, by route pattern and
 * status name, from a registry of each checkout's own.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckout } from '../../checkout/checkout.ts';
import { startCheckoutServer } from '../../checkout/http/server.ts';
import type { SqliteStore } from '../../checkout/sqlite/store.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PAY_PASSWORD,
  type Terminal,
  merchantWithTerminal,
  newOwner,
  newTrade,
  ownerWithBand,
  payWithBand,
} from './helpers/fixtures.ts';
import { type Harness, cheapTestConfig, mergeConfig, startHarness } from '../../harness/checkout-harness.ts';

/** The value of one sample of the Prometheus text format, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** A request whose body is still on its way: it is in flight until `finish()` sends the rest. */
function slowRequest(url: string, head: string): { finish(): void; answer: Promise<string> } {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  socket.write(`${head} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{`);
  let got = '';
  socket.on('data', (c: Buffer) => (got += c.toString('utf8')));
  const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(got)));
  socket.on('error', () => undefined);
  return { finish: () => socket.write('}'), answer };
}

describe('health and readiness', () => {
  it('/healthz and /readyz answer 200 on a working checkout, without credentials', async () => {
    const h = await startHarness(cheapTestConfig);
    try {
      const health = await fetch(`${h.server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });
      const ready = await fetch(`${h.server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ ready: true });
      expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await h.close();
    }
  });

  it('/readyz is 503 with the reason when the schema is not the one the code expects; /healthz stays 200', async () => {
    const h = await startHarness(cheapTestConfig);
    try {
      const db = (h.checkout.store as SqliteStore).db;
      db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (999, ?, 0)').run('from a newer checkout');
      const ready = await fetch(`${h.server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).reason).toMatch(/^schema version 999, this checkout needs \d+$/);
      expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('/readyz is 503 when the store does not answer', async () => {
    const h = await startHarness(cheapTestConfig);
    try {
      await h.checkout.store.close();
      const ready = await fetch(`${h.server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, reason: 'the store does not answer' });
      expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('never rate-limited: 300 probes at once all answer 200 under the production limits', async () => {
    const h = await startHarness();
    try {
      const codes = await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          fetch(`${h.server.url}/${i % 2 ? 'healthz' : 'readyz'}`).then((r) => r.status),
        ),
      );
      expect(codes.every((c) => c === 200)).toBe(true);
    } finally {
      await h.close();
    }
  });
});

describe('graceful shutdown of the server', () => {
  it('answers the request in flight (readiness now 503, connection closed), refuses new connections, reports nothing forced', async () => {
    const h = await startHarness(cheapTestConfig);
    try {
      const inFlight = slowRequest(h.server.url, 'GET /readyz');
      await new Promise((r) => setTimeout(r, 50));
      const stopping = h.server.shutdown(5_000);
      await new Promise((r) => setTimeout(r, 50));
      await expect(fetch(`${h.server.url}/healthz`)).rejects.toThrow();
      inFlight.finish();
      const answer = await inFlight.answer;
      expect(answer).toMatch(/^HTTP\/1\.1 503 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).toContain('"reason":"shutting down"');
      expect(await stopping).toEqual({ forced: 0 });
    } finally {
      await h.close();
    }
  });

  it('drops a request still unfinished at the deadline, and says so', async () => {
    const h = await startHarness(cheapTestConfig);
    try {
      const stuck = slowRequest(h.server.url, 'POST /v1/accounts');
      await new Promise((r) => setTimeout(r, 50));
      const started = performance.now();
      expect(await h.server.shutdown(300)).toEqual({ forced: 1 });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(await stuck.answer).toBe('');
    } finally {
      await h.close();
    }
  });
});

describe('metrics', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    // Two payment-password attempts per terminal and window, so the third is RATE_LIMITED.
    h = await startHarness(
      mergeConfig(cheapTestConfig, {
        rateLimits: { payPasswordPerTerminal: { points: 2, windowMs: 60_000 } },
        notify: {
          allowHosts: ['127.0.0.1:9'],
          maxAttempts: 5,
          baseDelayMs: 10_000,
          maxDelayMs: 10_000,
          pollMs: 20,
          timeoutMs: 500,
        },
      }),
    );
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it('counts payments by method, outcome and status, HTTP latency by route pattern, throttles, open trades, notifications', async () => {
    const payer = await ownerWithBand(h);
    const pinPayer = await newOwner(h);
    const before = await scrape(h.server.url);
    expect(sample(before, 'wristpay_open_trades')).toBe(0);

    // One band payment, one password payment; a wrong PIN (refused) and the third attempt (throttled).
    const t1 = await newTrade(shop, 12_00, { notifyUrl: 'http://127.0.0.1:9/notify' });
    await payWithBand(shop, payer.band, t1.outTradeNo);
    const t2 = await newTrade(shop, 8_00);
    await shop.client.payWithPassword(t2.outTradeNo, pinPayer.username, PAY_PASSWORD);
    const t3 = await newTrade(shop, 5_00);
    await refusal(shop.client.payWithPassword(t3.outTradeNo, pinPayer.username, '000000'), 'UNAUTHORIZED');
    await refusal(shop.client.payWithPassword(t3.outTradeNo, pinPayer.username, PAY_PASSWORD), 'RATE_LIMITED');
    await newTrade(shop, 3_00);
    // The notification to a closed port fails at least once.
    for (
      let i = 0;
      i < 100 &&
      !(sample(await scrape(h.server.url), 'wristpay_notification_attempts_total', { result: 'failed' }) ?? 0);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }

    const text = await scrape(h.server.url);
    expect(sample(text, 'wristpay_payments_total', { method: 'band', outcome: 'paid', status: 'OK' })).toBe(1);
    expect(sample(text, 'wristpay_payments_total', { method: 'password', outcome: 'paid', status: 'OK' })).toBe(1);
    expect(
      sample(text, 'wristpay_payments_total', { method: 'password', outcome: 'refused', status: 'UNAUTHORIZED' }),
    ).toBe(1);
    expect(sample(text, 'wristpay_payment_duration_seconds_count', { method: 'band', outcome: 'paid' })).toBe(1);
    expect(
      sample(text, 'wristpay_throttled_requests_total', {
        route: '/v1/trades/:outTradeNo/pay-password',
        status: 'RATE_LIMITED',
      }),
    ).toBe(1);
    expect(
      sample(text, 'wristpay_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/trades/:outTradeNo/pay',
        code: '201',
      }),
    ).toBe(1);
    expect(
      sample(text, 'wristpay_http_request_duration_seconds_count', {
        route: '/v1/trades/:outTradeNo/pay-password',
        code: '429',
      }),
    ).toBe(1);
    // Route patterns only: no trade number, id or token ever becomes a label.
    expect(text).not.toContain(t1.outTradeNo);
    expect(text).not.toContain(payer.deviceId);
    expect(sample(text, 'wristpay_open_trades')).toBe(2);
    expect(sample(text, 'wristpay_notification_attempts_total', { result: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'wristpay_notification_queue_depth')).toBe(1);
    expect(sample(text, 'wristpay_store_committed_payments_total')).toBe(2);
    expect(sample(text, 'wristpay_store_commit_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'wristpay_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'wristpay_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it("keeps each checkout's figures apart in one process; --metrics-port moves /metrics off the main port", async () => {
    const other = await createCheckout({ db: `${h.dir}/other.db`, config: cheapTestConfig });
    const server = await startCheckoutServer(other, { port: 0, metricsPort: 0, log: () => undefined });
    try {
      expect(server.metricsUrl).not.toBe(server.url);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      const text = await scrape(server.metricsUrl);
      expect(
        sample(text, 'wristpay_payments_total', { method: 'band', outcome: 'paid', status: 'OK' }),
      ).toBeUndefined();
      expect(
        sample(await scrape(h.server.url), 'wristpay_payments_total', {
          method: 'band',
          outcome: 'paid',
          status: 'OK',
        }),
      ).toBe(1);
      expect((await fetch(`${server.metricsUrl}/v1/checkout`)).status).toBe(404);
    } finally {
      await server.close();
      await other.close();
    }
  });
});
