/**
 * GET /metrics of a cluster (`wristpay checkout start --workers N`): the scrape reaches one
 * worker (they share the port), but must describe the whole service, so that worker asks
 * the primary, the primary asks every worker for its figures (prom-client's JSON), sums
 * them with prom-client's AggregatorRegistry.aggregate and hands the text back.
 *
 * Summed: counters, histograms, the pool gauge (each worker counts its own). Not summed:
 * what every worker reads from the one store (open trades, the notification queue: `max`),
 * and the process metrics prom-client aggregates its own way (e.g. version info: `first`).
 * A worker that does not answer within ASK_TIMEOUT_MS (busy, or just died) is left out of
 * that scrape; its counters come back with it (Prometheus's rate() takes a dip as a reset).
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { CheckoutMetrics } from './metrics.ts';

const GATHER = 'wristpay:metrics-gather';
const WHOLE = 'wristpay:metrics-whole';
const ASK = 'wristpay:metrics-ask';
const PART = 'wristpay:metrics-part';
const ASK_TIMEOUT_MS = 2_000;

/** A send to a process that has just gone fails; the ask's timeout already covers it. */
const ignore = (): void => undefined;

interface Message {
  type?: string;
  id?: number;
  text?: string;
  error?: string;
  part?: object[];
}

/** In a worker: answer the primary's asks, and make this worker's scrapes gather the whole. */
export function joinClusterMetrics(metrics: CheckoutMetrics): void {
  let next = 0;
  const waiting = new Map<number, (m: Message) => void>();
  process.on('message', (m: Message) => {
    if (m?.type === ASK)
      metrics.snapshot().then(
        (part) => process.send?.({ type: PART, id: m.id, part }, undefined, {}, ignore),
        () => process.send?.({ type: PART, id: m.id, part: [] }, undefined, {}, ignore),
      );
    if (m?.type === WHOLE && m.id !== undefined) waiting.get(m.id)?.(m);
  });
  metrics.gatherWith(
    () =>
      new Promise((resolve, reject) => {
        const id = next++;
        // The primary answers within its own ask timeout; this one only guards a primary that is gone.
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error('the primary did not answer the metrics request'));
        }, ASK_TIMEOUT_MS * 2);
        waiting.set(id, (whole) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (whole.text === undefined) reject(new Error(`gathering the workers' metrics failed: ${whole.error}`));
          else resolve(whole.text);
        });
        process.send?.({ type: GATHER, id }, undefined, {}, ignore);
      }),
  );
}

/** In the primary: gather every worker's figures when one of them is scraped. */
export function serveClusterMetrics(): void {
  let next = 0;
  const asks = new Map<number, (part: object[]) => void>();
  cluster.on('message', (worker: Worker, m: Message) => {
    if (m?.type === PART && m.id !== undefined) asks.get(m.id)?.(m.part ?? []);
    if (m?.type !== GATHER) return;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
    const parts = workers.map(
      (w) =>
        new Promise<object[] | undefined>((resolve) => {
          const id = next++;
          const timer = setTimeout(() => done(undefined), ASK_TIMEOUT_MS);
          const done = (part: object[] | undefined): void => {
            clearTimeout(timer);
            asks.delete(id);
            resolve(part);
          };
          asks.set(id, done);
          w.send({ type: ASK, id }, undefined, ignore);
        }),
    );
    Promise.all(parts)
      .then((got) => AggregatorRegistry.aggregate(got.filter((p) => p !== undefined)).metrics())
      .then(
        (text) => ({ type: WHOLE, id: m.id, text }),
        (e: unknown) => ({ type: WHOLE, id: m.id, error: String(e) }),
      )
      .then((whole) => {
        if (worker.isConnected()) worker.send(whole, undefined, ignore);
      });
  });
}
