/**
 * Delivers merchant notifications in the background: POST the stored body to notifyUrl,
 * done on any 2xx, otherwise retry with exponential back-off (base · 2^attempt, capped)
 * up to a bounded number of attempts. Each attempt re-vets the target (notify-target.ts)
 * and connects to the address it vetted. State lives in the store, so pending deliveries
 * survive a restart. The timer is unref'd: it never keeps the process alive.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { NotificationRow } from '../store.ts';
import type { Ctx } from './context.ts';
import { signNotification } from './notify-body.ts';
import { type NotifyTarget, checkNotifyTarget, pinnedLookup } from './notify-target.ts';

/** next_at of a notification we gave up on: never due again. */
const NEVER = Number.MAX_SAFE_INTEGER;

export class Notifier {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly ctx: Ctx) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), this.ctx.config.notify.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Runs a delivery round now (or right after the one in progress); a no-op until started. */
  kick(): void {
    if (!this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.runOnce()
      .catch(() => undefined) // a failing round is retried by the next tick
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** One round over every due notification; resolves when each has been tried once. */
  async runOnce(): Promise<void> {
    const due = await this.ctx.store.ledger.claimDueNotifications(this.ctx.clock(), 50, this.leaseMs());
    await Promise.all(due.map((n) => this.deliver(n)));
  }

  /**
   * How long a claimed notification is ours to send: every step of one delivery (vetting the
   * target, the POST with its timeout, recording the outcome) fits in it with room to spare.
   */
  private leaseMs(): number {
    return 2 * this.ctx.config.notify.timeoutMs + 5_000;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }

  private async deliver(n: NotificationRow): Promise<void> {
    const { notify } = this.ctx.config;
    let error: string | null = null;
    try {
      // Vetted again now, not only when the trade was made: the name may resolve elsewhere today.
      const checked = await checkNotifyTarget(n.url, notify.allowHosts);
      if (!checked.ok) throw new Error(checked.why);
      const status = await post(
        checked.target,
        { 'content-type': 'application/json', ...signNotification(this.ctx, n.body) },
        n.body,
        notify.timeoutMs,
      );
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    this.ctx.observer.notifyAttempt(error === null);
    const now = this.ctx.clock();
    const attempt = n.attempts + 1;
    const giveUp = error !== null && attempt >= notify.maxAttempts;
    const nextAt =
      error === null
        ? n.nextAt
        : giveUp
          ? NEVER
          : now + Math.min(notify.maxDelayMs, notify.baseDelayMs * 2 ** (attempt - 1));
    await this.ctx.store.ledger.recordNotifyAttempt(
      n.id,
      error === null,
      now,
      nextAt,
      giveUp ? `gave up after ${attempt} attempts: ${error}` : error,
    );
  }
}

/**
 * POSTs to the checked address (pinnedLookup), one fresh connection, and resolves with the
 * status. node:http never follows redirects: a 3xx is a failed delivery, and the body is
 * not sent anywhere else. TLS still verifies the certificate for the URL's host name.
 */
function post(target: NotifyTarget, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(target),
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume(); // the answer's body means nothing to us; let it drain
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
