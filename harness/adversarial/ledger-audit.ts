/**
 * What the ledger must look like after every hostile case, read through the checkout's
 * store (its audit reads, the same on SQLite and PostgreSQL). Each trade the relay created
 * is registered with its amount and the band meant to pay it; a payment row is honest only
 * if it matches both. Also: no trade paid twice, no challenge paying twice, and each
 * card's counters strictly increasing in the order the payments were recorded.
 */
import type { CheckoutStore } from '../../checkout/store.ts';

export interface ExpectedTrade {
  amount: number;
  deviceId: string;
}

export class LedgerAudit {
  private readonly expected = new Map<string, ExpectedTrade>();

  /** `store` is asked each time: a restarted checkout has a new one. */
  constructor(private readonly storeOf: () => CheckoutStore) {}

  private get store(): CheckoutStore {
    return this.storeOf();
  }

  expect(tradeNo: string, t: ExpectedTrade): void {
    this.expected.set(tradeNo, t);
  }

  /** Payment rows recorded for the trade (0 or 1 when all is well). */
  async payments(tradeNo: string): Promise<number> {
    return (await this.store.audit.payments()).filter((p) => p.tradeNo === tradeNo).length;
  }

  /** True once the checkout has spent the challenge (answered, or refused after it opened). */
  async spent(challengeId: string): Promise<boolean> {
    const c = await this.store.challenges.byId(challengeId);
    return !!c && c.answeredAt !== null;
  }

  /** Trades registered with the audit that have no payment row. */
  async unpaid(): Promise<string[]> {
    const paid = new Set((await this.store.audit.payments()).map((p) => p.tradeNo));
    return [...this.expected.keys()].filter((t) => !paid.has(t));
  }

  /** Trades registered with the audit. */
  get registered(): number {
    return this.expected.size;
  }

  async totals(): Promise<{ payments: number; amount: number }> {
    const rows = await this.store.audit.payments();
    return { payments: rows.length, amount: rows.reduce((s, r) => s + r.amount, 0) };
  }

  /** Every way the ledger differs from an honest one; empty when it does not. */
  async problems(): Promise<string[]> {
    const out: string[] = [];
    const perTrade = new Map<string, number>();
    const challenges = new Set<string>();
    const lastCounter = new Map<string, number>();
    for (const r of await this.store.audit.payments()) {
      perTrade.set(r.tradeNo, (perTrade.get(r.tradeNo) ?? 0) + 1);
      if (perTrade.get(r.tradeNo) === 2) out.push(`trade ${r.tradeNo} charged twice`);
      const e = this.expected.get(r.tradeNo);
      if (!e) out.push(`trade ${r.tradeNo} paid but never created by the relay`);
      else {
        if (r.amount !== e.amount || r.tradeAmount !== e.amount)
          out.push(`trade ${r.tradeNo} charged ${r.amount}, not ${e.amount}`);
        if (r.deviceId !== e.deviceId) out.push(`trade ${r.tradeNo} charged to band ${r.deviceId}, not ${e.deviceId}`);
      }
      if (r.tradeStatus !== 'TRADE_SUCCESS') out.push(`trade ${r.tradeNo} has a payment but status ${r.tradeStatus}`);
      if (r.challengeId) {
        if (challenges.has(r.challengeId)) out.push(`challenge ${r.challengeId} paid twice`);
        challenges.add(r.challengeId);
      }
      if (r.cardRef && r.counter !== null) {
        const last = lastCounter.get(r.cardRef);
        if (last !== undefined && r.counter <= last) out.push(`card ${r.cardRef}: counter ${r.counter} after ${last}`);
        lastCounter.set(r.cardRef, r.counter);
      }
    }
    const orphans = await this.store.audit.paidTradesWithoutPayment();
    if (orphans > 0) out.push(`${orphans} paid trade(s) without a payment row`);
    return out;
  }
}
