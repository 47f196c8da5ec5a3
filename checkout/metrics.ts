/**
 * The checkout's Prometheus metrics (prom-client), one registry per checkout instance so
 * several checkouts in one process (tests, the demo) never share or clash. Names follow
 * https://prometheus.io/docs/practices/naming/: a `wristpay_` prefix, base units (seconds),
 * `_total` on counters. Every metric is listed in docs/CHECKOUT.md "Operating".
 *
 * The payment path only increments counters and observes histograms (a few array writes);
 * everything that needs the store (open trades, the notification queue, commit figures)
 * is read when Prometheus scrapes, never on a request.
 */
import {
  Counter,
  Gauge,
  Histogram,
  type MetricObjectWithValues,
  type MetricValue,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';
import { Status, type StatusCode, statusName } from '../shared/status/codes.ts';
import type { CheckoutObserver, PaymentMethod } from './core/observer.ts';
import type { CheckoutStore } from './store.ts';

const PREFIX = 'wristpay_';

/** Seconds: a password payment is ~50 ms of scrypt, a band payment a few ms; queueing shows above. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The refusals that are a throttle or a lock, counted by route so an operator sees which door is pushed. */
const THROTTLES = new Set<StatusCode>([Status.RATE_LIMITED, Status.ACCOUNT_LOCKED, Status.PAY_PASSWORD_BLOCKED]);

export class CheckoutMetrics implements CheckoutObserver {
  readonly registry = new Registry();
  private processMetrics = false;
  private gather?: () => Promise<string>;
  private readonly payments: Counter<'method' | 'outcome' | 'status'>;
  private readonly paymentSeconds: Histogram<'method' | 'outcome'>;
  private readonly httpSeconds: Histogram<'method' | 'route' | 'code'>;
  private readonly throttled: Counter<'route' | 'status'>;
  private readonly notifyAttempts: Counter<'result'>;
  private readonly openTrades: Gauge;
  private readonly retries: Counter;
  private readonly pool: Gauge;
  private readonly notifyQueue: Gauge;
  private readonly commits: Counter;
  private readonly committedPayments: Counter;
  private readonly commitSeconds: Counter;

  constructor(private readonly store: CheckoutStore) {
    const registers = [this.registry];
    this.payments = new Counter({
      name: `${PREFIX}payments_total`,
      help: 'Payments that reached a verdict, by method (band, password), outcome (paid, refused) and status name.',
      labelNames: ['method', 'outcome', 'status'],
      registers,
    });
    this.paymentSeconds = new Histogram({
      name: `${PREFIX}payment_duration_seconds`,
      help: 'Time from the paying request (band answer or payment password) to its verdict, commit included.',
      labelNames: ['method', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.httpSeconds = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'HTTP requests by method, route pattern (never the raw path) and response code.',
      labelNames: ['method', 'route', 'code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.throttled = new Counter({
      name: `${PREFIX}throttled_requests_total`,
      help: 'Requests refused RATE_LIMITED, ACCOUNT_LOCKED or PAY_PASSWORD_BLOCKED, by route pattern and status name.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.notifyAttempts = new Counter({
      name: `${PREFIX}notification_attempts_total`,
      help: 'Merchant notification delivery attempts, by result (delivered, failed).',
      labelNames: ['result'],
      registers,
    });
    this.openTrades = new Gauge({
      name: `${PREFIX}open_trades`,
      help: 'Trades waiting to be paid (all checkout processes on this store).',
      // Read from the store, so every worker of a cluster sees the same figure: not summed.
      aggregator: 'max',
      registers,
    });
    this.notifyQueue = new Gauge({
      name: `${PREFIX}notification_queue_depth`,
      help: 'Notifications not delivered yet and not given up on.',
      aggregator: 'max',
      registers,
    });
    this.commits = new Counter({
      name: `${PREFIX}store_commits_total`,
      help: 'Payment transactions this process committed (a group commit holds several payments).',
      registers,
    });
    this.committedPayments = new Counter({
      name: `${PREFIX}store_committed_payments_total`,
      help: 'Payments in those transactions.',
      registers,
    });
    this.commitSeconds = new Counter({
      name: `${PREFIX}store_commit_seconds_total`,
      help: 'Seconds spent in those transactions, fsync included.',
      registers,
    });
    this.retries = new Counter({
      name: `${PREFIX}store_retries_total`,
      help: 'Transactions run again after a serialization failure or deadlock (PostgreSQL: contention between processes).',
      registers,
    });
    this.pool = new Gauge({
      name: `${PREFIX}store_pool_connections`,
      help: 'The PostgreSQL connection pool: open and idle connections, and requests waiting for one.',
      labelNames: ['state'],
      registers,
    });
  }

  payment(method: PaymentMethod, status: StatusCode, seconds: number): void {
    const outcome = status === Status.OK ? 'paid' : 'refused';
    this.payments.inc({ method, outcome, status: statusName(status) ?? 'INTERNAL' });
    this.paymentSeconds.observe({ method, outcome }, seconds);
  }

  notifyAttempt(delivered: boolean): void {
    this.notifyAttempts.inc({ result: delivered ? 'delivered' : 'failed' });
  }

  /** One answered HTTP request; `route` is the matched pattern or "unmatched". */
  http(method: string, route: string, code: number, status: StatusCode, seconds: number): void {
    this.httpSeconds.observe({ method, route, code }, seconds);
    if (THROTTLES.has(status)) this.throttled.inc({ route, status: statusName(status) as string });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * A cluster worker's scrape (`checkout start --workers N`): the whole service's figures,
   * gathered from every worker by the primary (cluster-metrics.ts), not this worker's alone.
   */
  gatherWith(gather: () => Promise<string>): void {
    this.gather = gather;
  }

  /** The text exposition; reads the store's counts first (one round trip per scrape). */
  async scrape(): Promise<string> {
    if (this.gather) return this.gather();
    await this.refresh();
    return this.registry.metrics();
  }

  /** This process's figures as prom-client's JSON, for the primary to sum with the other workers'. */
  async snapshot(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    await this.refresh();
    return this.registry.getMetricsAsJSON();
  }

  private async refresh(): Promise<void> {
    // Process metrics start with the first scrape: a checkout nobody scrapes (tests, the CLI) pays nothing for them.
    if (!this.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.processMetrics = true;
    const c = await this.store.counts();
    this.openTrades.set(c.openTrades);
    this.notifyQueue.set(c.pendingNotifications);
    setCounter(this.commits, c.commits);
    setCounter(this.committedPayments, c.committedPayments);
    setCounter(this.commitSeconds, c.commitSeconds);
    setCounter(this.retries, c.retries);
    if (c.pool) for (const [state, n] of Object.entries(c.pool)) this.pool.set({ state }, n);
  }
}

/** A counter kept by the store (monotonic in this process), copied in at scrape time. */
function setCounter(counter: Counter, value: number): void {
  counter.reset();
  counter.inc(value);
}
