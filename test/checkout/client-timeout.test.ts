/**
 * The checkout client gives up on a request that gets no answer (a checkout that took the
 * connection and never replied): CheckoutUnreachableError with code REQUEST_TIMEOUT after
 * `timeoutMs`, which the bridge turns into an "unreachable" refusal with a hint, instead of
 * a till waiting forever.
 */
import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutClient, CheckoutUnreachableError } from '../../checkout/api/client.ts';
import { refusalOf } from '../../bridge/flows/outcome.ts';

const sockets: Socket[] = [];
const silent = createServer((s) => {
  sockets.push(s); // read the request, answer nothing
  s.on('data', () => undefined);
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

describe('a checkout that never answers', () => {
  it('is given up after timeoutMs as REQUEST_TIMEOUT, and the bridge says so', async () => {
    const started = Date.now();
    const caught = await new CheckoutClient(url, { timeoutMs: 300 }).catalogue().catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(CheckoutUnreachableError);
    expect((caught as CheckoutUnreachableError).code).toBe('REQUEST_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const r = refusalOf(caught, 'checkout');
    expect(r).toMatchObject({ name: 'UNREACHABLE', kind: 'unreachable' });
    expect(r.message).toMatch(/did not answer in time/);
  });
});
