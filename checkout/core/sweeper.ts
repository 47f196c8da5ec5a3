/**
 * The expiry sweep: every `sweepIntervalMs`, close unpaid trades older than `tradeTtlMs`
 * (as Alipay closes an unpaid trade at its timeout) and delete expired sessions,
 * enrollment offers, pairing codes, long-expired challenges and stale password-attempt
 * records, so nothing an anonymous or paired client creates outlives its use. Each run is bounded (store.ts SweepStore);
 * the timer is unref'd, like the notifier's, so it never keeps the process alive.
 */
import type { SweepCounts } from '../store.ts';
import type { Ctx } from './context.ts';

export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly ctx: Ctx) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.ctx.config.sweepIntervalMs);
    this.timer.unref();
  }

  /** One bounded pass now. */
  runOnce(): Promise<SweepCounts> {
    const { clock, config, store } = this.ctx;
    const now = clock();
    return store.sweeps.sweep(now, {
      tradesCreatedBy: now - config.tradeTtlMs,
      challengesExpiredBy: now - config.expiredChallengeRetainMs,
      attemptsQuietSince: quietSince(now, config.loginThrottle.forgetMs, config.deviceThrottle.forgetMs),
      terminalFailuresBefore: now - config.terminalPayFailures.windowMs,
      batch: config.sweepBatch,
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }

  private tick(): void {
    if (this.running) return; // a slow pass is not stacked on; the next tick carries on
    this.running = this.runOnce()
      .catch(() => undefined) // a failed pass is retried by the next tick
      .finally(() => {
        this.running = null;
      });
  }
}

/** When a sign-in counter counts as forgotten: after the longer forget window; never when either is 0 (never forget). */
function quietSince(now: number, ...forgetMs: number[]): number {
  return forgetMs.some((ms) => ms <= 0) ? Number.MIN_SAFE_INTEGER : now - Math.max(...forgetMs);
}
