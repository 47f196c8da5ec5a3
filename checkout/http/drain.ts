/**
 * Graceful stop of a node:http server: what `checkout start` does on SIGTERM.
 *
 * Not http.Server#close(): since Node 19 it also closes every idle connection at once, and
 * "idle" includes a connection accepted a moment ago whose request has not been parsed yet;
 * its client would see a reset for a request it had sent. So the listener is closed alone
 * (net.Server#close: new connections are refused from now), connections already accepted
 * get a short grace to deliver their request (each answer then says "Connection: close",
 * server.ts), and only then are idle connections closed, again each grace period for
 * keep-alive connections that became idle since. What is still busy at the deadline is
 * dropped. Connections still in the kernel's accept queue when the listener closes are reset
 * by the kernel before the server ever reads them (nothing of theirs was done).
 */
import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';

/** Time for an accepted connection's request to arrive and be parsed before idle ones are closed. */
const GRACE_MS = 250;

/** Resolves once every connection is closed; `forced`: requests still unanswered at the deadline (then dropped). */
export async function drainServer(
  server: Server,
  timeoutMs: number,
  unanswered: () => number,
): Promise<{ forced: number }> {
  const closed = new Promise<void>((done) => NetServer.prototype.close.call(server, () => done()));
  const deadline = performance.now() + timeoutMs;
  let done = false;
  void closed.then(() => (done = true));
  while (!done && performance.now() < deadline) {
    await Promise.race([closed, sleep(Math.min(GRACE_MS, deadline - performance.now()))]);
    if (!done) server.closeIdleConnections();
  }
  const forced = done ? 0 : unanswered();
  if (!done) {
    server.closeAllConnections();
    await closed;
  }
  // http.Server#close on the closed server: clears its connection-checking interval, nothing else.
  server.close();
  return { forced };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
