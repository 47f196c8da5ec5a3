/**
 * A fixed-size queue for password-hash work. scrypt is memory- and CPU-hard on purpose
 * (RFC 7914), which makes every unauthenticated password check a lever on the server:
 * without a bound, 120 connections sending wrong logins queue hundreds of hashes and a
 * real login waits behind all of them. So: at most `concurrency` hashes run at once, at
 * most `maxWaiting` wait per lane, and none waits longer than `maxWaitMs`. A call that
 * cannot get a slot is refused RATE_LIMITED (with a retry time) having computed nothing.
 *
 * Two lanes: a caller that proved it is trusted (a device that signed in before) waits in
 * its own line, served before the normal one, so a flood of strangers fills only theirs.
 * The queue bounds this process's CPU; it is per process by nature, unlike the attempt
 * counts, which live in the store.
 */
import { Status } from '../../shared/status/codes.ts';
import type { HashQueueConfig } from './config.ts';
import { CheckoutError } from './errors.ts';

export type HashLane = 'trusted' | 'normal';

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

/** What a refused caller is told to wait: about the time the queue takes to drain. */
const RETRY_AFTER_MS = 1_000;

export class HashQueue {
  private running = 0;
  private readonly waiting: Record<HashLane, Waiter[]> = { trusted: [], normal: [] };

  constructor(private readonly limits: HashQueueConfig) {}

  /** Runs `work` when a slot is free; RATE_LIMITED if none is within the limits. */
  async run<T>(lane: HashLane, work: () => Promise<T>): Promise<T> {
    await this.slot(lane);
    try {
      return await work();
    } finally {
      this.running--;
      this.next();
    }
  }

  private slot(lane: HashLane): Promise<void> {
    const ahead =
      lane === 'trusted' ? this.waiting.trusted.length : this.waiting.trusted.length + this.waiting.normal.length;
    if (this.running < this.limits.concurrency && ahead === 0) {
      this.running++;
      return Promise.resolve();
    }
    const line = this.waiting[lane];
    if (line.length >= this.limits.maxWaiting) return Promise.reject(busy('the password check queue is full'));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          this.running++;
          resolve();
        },
        timer: setTimeout(() => {
          line.splice(line.indexOf(waiter), 1);
          reject(busy('no password check slot came free in time'));
        }, this.limits.maxWaitMs),
      };
      line.push(waiter);
    });
  }

  private next(): void {
    if (this.running >= this.limits.concurrency) return;
    const waiter = this.waiting.trusted.shift() ?? this.waiting.normal.shift();
    waiter?.start();
  }
}

function busy(why: string): CheckoutError {
  return new CheckoutError(Status.RATE_LIMITED, `${why}; try again in ${RETRY_AFTER_MS / 1000} s`, {
    retryAfterMs: RETRY_AFTER_MS,
  });
}
