/**
 * SIGTERM to `wristpay checkout start` (a child process) while 100 band payments are in
 * flight (issue 19). Each of 100 bands pays one trade after another over HTTP (keep-alive),
 * every request carrying its own x-request-id; the signal comes once the load is steady. Then:
 *
 * - no request was cut: each got a complete HTTP answer, or its connection was refused, or
 *   it was reset before the checkout read it (sent on a keep-alive connection as the
 *   checkout closed it idle, or still in the kernel's accept queue when the listener
 *   closed): such a request's id never shows in the log, where every request the checkout
 *   handled is written before the process exits;
 * - requests in flight at the signal were finished, not dropped, and the process exited 0
 *   within --shutdown-timeout with nothing forced;
 * - after a restart, every acknowledged payment is in the ledger, and the ledger is whole.
 *
 * The world (owners, bands, cards, a terminal) is made beforehand by an in-process checkout
 * on the same file with cheap settings, so the child runs the production configuration.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCheckout } from '../../checkout/checkout.ts';
import { CheckoutClient } from '../../checkout/api/client.ts';
import { startCheckoutServer } from '../../checkout/http/server.ts';
import { cheapTestConfig } from '../../harness/checkout-harness.ts';
import { type ChildCheckout, startChildCheckout } from './helpers/child-checkout.ts';
import { type World, setUpWorld } from './helpers/kill-load.ts';
import { ledgerProblems, openReader } from './helpers/ledger-check.ts';
import { reportFigures } from './helpers/scale.ts';

const LANES = 100;
/** Payments acknowledged before the signal: every lane is past its first one, the load steady. */
const SIGNAL_AFTER = 200;
const SHUTDOWN_TIMEOUT_S = 10;

/** unread: reset with no byte of answer; the log then shows the checkout never read it. */
type Fate = 'answered' | 'refused' | 'unread' | 'cut';
interface Sent {
  id: string;
  fate?: Fate;
  sentAt: number;
  doneAt?: number;
}

class Gone extends Error {}

/**
 * fetch with its own request id per request, that tells how each request ended. Keep-alive
 * connections, as a till's client keeps them: at the signal the requests in flight are on
 * connections the checkout has accepted, so a stop that drops connections would cut them.
 */
function tracingFetch(log: Sent[], agent: Agent): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const s: Sent = { id: randomUUID(), sentAt: performance.now() };
      log.push(s);
      const end = (fate: Fate, err?: Error): void => {
        if (s.fate) return;
        s.fate = fate;
        s.doneAt = performance.now();
        if (err) reject(err);
      };
      const headers: Record<string, string> = { 'x-request-id': s.id };
      new Headers(init?.headers).forEach((v, k) => {
        headers[k] = v;
      });
      const body = init?.body as Uint8Array | string | undefined;
      const req = request(String(input), { method: init?.method ?? 'GET', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('aborted', () => end('cut', new Gone('cut mid-answer')));
        res.on('error', () => end('cut', new Gone('cut mid-answer')));
        res.on('end', () => {
          if (!res.complete) return end('cut', new Gone('incomplete answer'));
          const buf = Buffer.concat(chunks);
          const length = res.headers['content-length'];
          if (length !== undefined && Number(length) !== buf.length) return end('cut', new Gone('short answer'));
          end('answered');
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
          resolve(new Response(buf, { status: res.statusCode, headers: h }));
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) =>
        end(e.code === 'ECONNREFUSED' ? 'refused' : 'unread', new Gone(e.code)),
      );
      req.end(body);
    });
}

interface Paid {
  outTradeNo: string;
  amount: number;
}

/** One band's payments, one after another, until the checkout is gone. */
async function lane(client: CheckoutClient, w: World, i: number, paid: Paid[], onPaid: () => void): Promise<void> {
  const band = w.lanes[i].band;
  for (let n = 0; ; n++) {
    const outTradeNo = `term-${i}-${n}`;
    const amount = 100 + ((i * 37 + n * 11) % 900);
    try {
      await client.createTrade({ outTradeNo, amount, currency: 'CNY', subject: 'sigterm test' });
      const ch = await client.payWithBand(outTradeNo, band.hello());
      await client.answer(ch.challengeId, band.pay(band.open(ch.message), { confirmed: true }));
      paid.push({ outTradeNo, amount });
      onPaid();
    } catch (e) {
      if (e instanceof Gone) return;
      throw e; // a refusal while the checkout runs is a bug
    }
  }
}

describe('SIGTERM of the checkout under load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wristpay-sigterm-'));
  const dbFile = join(dir, 'checkout.db');
  let child: ChildCheckout | undefined;
  afterAll(async () => {
    if (child) await child.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the requests in flight, cuts none, exits 0 in time, and loses no acknowledged payment', async () => {
    const setup = await createCheckout({ db: dbFile, config: cheapTestConfig });
    const setupServer = await startCheckoutServer(setup, { port: 0, log: () => undefined });
    const w = await setUpWorld(setupServer.url, LANES);
    await setupServer.close();
    await setup.close();

    child = await startChildCheckout(dbFile, {
      args: ['--shutdown-timeout', String(SHUTDOWN_TIMEOUT_S)],
      keepStderr: true,
    });
    const running = child;
    const sent: Sent[] = [];
    const agent = new Agent({ keepAlive: true, maxSockets: LANES * 2 });
    const client = new CheckoutClient(running.url, { fetch: tracingFetch(sent, agent) }).withTerminal(w.signer);
    const paid: Paid[] = [];
    let signalAt = 0;
    let inFlightAtSignal = 0;
    let stopped: Promise<number | null> = Promise.resolve(null);
    const onPaid = (): void => {
      if (paid.length !== SIGNAL_AFTER) return;
      signalAt = performance.now();
      inFlightAtSignal = sent.filter((s) => !s.fate).length;
      stopped = running.stop();
    };
    await Promise.all(w.lanes.map((_, i) => lane(client, w, i, paid, onPaid)));
    const code = await stopped;
    agent.destroy();
    const exitedAfterMs = performance.now() - signalAt;
    await new Promise((r) => setTimeout(r, 100)); // the last stdout lines
    const stoppedLine = running
      .stdout()
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === 'stopped');
    const logged = new Set(
      running
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => (JSON.parse(l) as { reqId?: string }).reqId),
    );
    child = undefined;

    const fates = { answered: 0, refused: 0, unread: 0, cut: 0 };
    for (const s of sent) fates[s.fate as Fate] += 1;
    const finishedAfterSignal = sent.filter(
      (s) => s.fate === 'answered' && s.sentAt < signalAt && (s.doneAt as number) > signalAt,
    ).length;
    reportFigures('sigterm-checkout', {
      lanes: LANES,
      requests: sent.length,
      ...fates,
      acknowledged: paid.length,
      inFlightAtSignal,
      finishedAfterSignal,
      exitedAfterMs: Math.round(exitedAfterMs),
    });

    expect(code).toBe(0);
    expect(stoppedLine).toMatchObject({ event: 'stopped', signal: 'SIGTERM', forced: 0 });
    expect(exitedAfterMs).toBeLessThan(SHUTDOWN_TIMEOUT_S * 1000);
    expect(inFlightAtSignal, 'requests in flight at the signal').toBeGreaterThanOrEqual(LANES / 2);
    expect(finishedAfterSignal, 'requests in flight at the signal that were answered').toBeGreaterThanOrEqual(
      LANES / 4,
    );
    expect(fates.cut).toBe(0);
    expect(sent.every((s) => s.fate !== undefined)).toBe(true);
    // Every request that got an answer is in the log; none that was reset is.
    for (const s of sent) expect(logged.has(s.id), `${s.fate} request ${s.id} in the log`).toBe(s.fate === 'answered');

    child = await startChildCheckout(dbFile);
    const db = openReader(dbFile);
    try {
      expect(ledgerProblems(db)).toEqual([]);
      const rows = db
        .prepare('SELECT t.out_trade_no AS o, p.amount FROM payments p JOIN trades t ON t.trade_no = p.trade_no')
        .all() as Array<{ o: string; amount: number }>;
      const inLedger = new Map(rows.map((r) => [r.o, r.amount]));
      for (const p of paid) expect(inLedger.get(p.outTradeNo), `acknowledged ${p.outTradeNo}`).toBe(p.amount);
    } finally {
      db.close();
    }
    expect(await child.stop()).toBe(0);
    child = undefined;
  }, 180_000);
});
