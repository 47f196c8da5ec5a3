/**
 * Group commit: payments that reach the ledger while a commit is being prepared share one
 * SQLite transaction, each inside its own savepoint; so do the trades and challenges created
 * meanwhile (one fsync for all of them, where each took its own: three per band payment).
 *
 * Why: a commit's cost is mostly writing its dirty pages to the WAL (and, every ~1,000
 * pages, the checkpoint's fsync), not the statements. Payments committed together share
 * pages (the card and day-total rows, the tail of the payments table and its indexes), so
 * under concurrent traffic each one writes a fraction of what it would alone.
 *
 * What stays as it was:
 * - Atomicity per payment: each runs in a savepoint; a refusal (or any error) rolls back
 *   its savepoint only, and the others commit. The outcome is the same as running the
 *   batch's transactions one after another in arrival order.
 * - Durability of what was acknowledged: every caller is resolved only after the COMMIT
 *   returned; if the COMMIT fails, every caller in the batch gets the error, none a result.
 * - Latency of a lone payment: the batch closes at the end of the current turn of the
 *   event loop (setImmediate), not after a timer, and a batch of one runs as a plain
 *   transaction without a savepoint.
 */
import type { Db } from './open.ts';

interface Pending {
  work: () => unknown;
  /** A payment (counted in the stats) or another write sharing its commit (a trade, a challenge). */
  payment: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class GroupCommit {
  /**
   * Committed transactions that held payments and the payments in them (works / transactions
   * is what sharing saved), and the seconds spent running them, commit included (for metrics).
   */
  readonly stats = { transactions: 0, works: 0, seconds: 0 };
  private queue: Pending[] = [];
  private flushed: Promise<void> = Promise.resolve();
  private readonly alone: (work: () => unknown) => unknown;
  private readonly together: (batch: Pending[]) => Outcome[];

  constructor(db: Db) {
    // Made once: db.transaction() builds a new wrapper on every call (~10 µs).
    this.alone = db.transaction((work: () => unknown) => work());
    // Called inside `together`, better-sqlite3 turns `alone` into a savepoint.
    this.together = db.transaction((batch: Pending[]) =>
      batch.map((p): Outcome => {
        try {
          return { ok: true, value: this.alone(p.work) };
        } catch (error) {
          // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then
          // nothing of the batch is in, and the rest must not run outside a transaction.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
  }

  /**
   * Runs `work` (synchronous statements on this connection) in a transaction shared with
   * whatever else is submitted before the end of this event-loop turn. Resolves with its
   * value after the commit; rejects with what `work` threw (its changes rolled back).
   * `payment` false: a write that shares the commit but is not counted as a payment.
   */
  run<T>(work: () => T, payment = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.queue.length === 0) this.flushed = new Promise((done) => setImmediate(() => done(this.flush())));
      this.queue.push({ work, payment, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Resolves when nothing submitted so far is waiting (closing the database must wait for it). */
  async drain(): Promise<void> {
    while (this.queue.length > 0) await this.flushed;
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    const started = performance.now();
    try {
      this.commit(batch);
    } finally {
      if (batch.some((p) => p.payment)) this.stats.seconds += (performance.now() - started) / 1000;
    }
  }

  private commit(batch: Pending[]): void {
    if (batch.length === 1) {
      const [p] = batch;
      try {
        p.resolve(this.alone(p.work));
        if (p.payment) this.counted(1);
      } catch (error) {
        p.reject(error);
      }
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = this.together(batch);
    } catch (error) {
      // BEGIN or COMMIT failed: nothing of the batch is in the ledger.
      for (const p of batch) p.reject(error);
      return;
    }
    if (batch.some((p) => p.payment)) this.counted(outcomes.filter((o, i) => o.ok && batch[i].payment).length);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o.ok) p.resolve(o.value);
      else p.reject(o.error);
    });
  }

  private counted(works: number): void {
    this.stats.transactions += 1;
    this.stats.works += works;
  }
}
