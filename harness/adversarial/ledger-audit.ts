/**
 * What the ledger must look like after every hostile case, read straight from the
 * checkout's SQLite file over a second, read-only connection (WAL: it sees every committed
 * transaction). Each trade the relay created is registered with its amount and the band
 * meant to pay it; a payment row is honest only if it matches both. Also: no trade paid
 * twice, no challenge paying twice, and each card's counters strictly increasing in the
 * order the payments were recorded.
 */
import Database from 'better-sqlite3';

export interface ExpectedTrade {
  amount: number;
  deviceId: string;
}

interface PaymentRow {
  trade_no: string;
  amount: number;
  device_id: string | null;
  card_ref: string | null;
  counter: number | null;
  challenge_id: string | null;
  trade_amount: number;
  status: string;
}

export class LedgerAudit {
  private readonly db: Database.Database;
  private readonly expected = new Map<string, ExpectedTrade>();
  private readonly paidStmt: Database.Statement;
  private readonly answeredStmt: Database.Statement;

  constructor(dbFile: string) {
    this.db = new Database(dbFile, { readonly: true, fileMustExist: true });
    this.paidStmt = this.db.prepare('SELECT COUNT(*) AS n FROM payments WHERE trade_no = ?');
    this.answeredStmt = this.db.prepare('SELECT answered_at AS a FROM challenges WHERE id = ?');
  }

  expect(tradeNo: string, t: ExpectedTrade): void {
    this.expected.set(tradeNo, t);
  }

  /** Payment rows recorded for the trade (0 or 1 when all is well). */
  payments(tradeNo: string): number {
    return (this.paidStmt.get(tradeNo) as { n: number }).n;
  }

  /** True once the checkout has spent the challenge (answered, or refused after it opened). */
  spent(challengeId: string): boolean {
    const row = this.answeredStmt.get(challengeId) as { a: number | null } | undefined;
    return !!row && row.a !== null;
  }

  /** Trades registered with the audit that have no payment row. */
  unpaid(): string[] {
    return [...this.expected.keys()].filter((t) => this.payments(t) === 0);
  }

  /** Trades registered with the audit. */
  get registered(): number {
    return this.expected.size;
  }

  totals(): { payments: number; amount: number } {
    const r = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(amount), 0) AS s FROM payments').get() as {
      n: number;
      s: number;
    };
    return { payments: r.n, amount: r.s };
  }

  /** Every way the ledger differs from an honest one; empty when it does not. */
  problems(): string[] {
    const out: string[] = [];
    const rows = this.db
      .prepare(`SELECT p.trade_no, p.amount, p.device_id, p.card_ref, p.counter, p.challenge_id, t.amount AS trade_amount, t.status
      FROM payments p JOIN trades t ON t.trade_no = p.trade_no ORDER BY p.rowid`)
      .all() as PaymentRow[];
    const perTrade = new Map<string, number>();
    const challenges = new Set<string>();
    const lastCounter = new Map<string, number>();
    for (const r of rows) {
      perTrade.set(r.trade_no, (perTrade.get(r.trade_no) ?? 0) + 1);
      if (perTrade.get(r.trade_no) === 2) out.push(`trade ${r.trade_no} charged twice`);
      const e = this.expected.get(r.trade_no);
      if (!e) out.push(`trade ${r.trade_no} paid but never created by the relay`);
      else {
        if (r.amount !== e.amount || r.trade_amount !== e.amount)
          out.push(`trade ${r.trade_no} charged ${r.amount}, not ${e.amount}`);
        if (r.device_id !== e.deviceId)
          out.push(`trade ${r.trade_no} charged to band ${r.device_id}, not ${e.deviceId}`);
      }
      if (r.status !== 'TRADE_SUCCESS') out.push(`trade ${r.trade_no} has a payment but status ${r.status}`);
      if (r.challenge_id) {
        if (challenges.has(r.challenge_id)) out.push(`challenge ${r.challenge_id} paid twice`);
        challenges.add(r.challenge_id);
      }
      if (r.card_ref && r.counter !== null) {
        const last = lastCounter.get(r.card_ref);
        if (last !== undefined && r.counter <= last) out.push(`card ${r.card_ref}: counter ${r.counter} after ${last}`);
        lastCounter.set(r.card_ref, r.counter);
      }
    }
    const orphans = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM trades t WHERE t.status = 'TRADE_SUCCESS' AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.trade_no = t.trade_no)`,
      )
      .get() as { n: number };
    if (orphans.n > 0) out.push(`${orphans.n} paid trade(s) without a payment row`);
    return out;
  }

  close(): void {
    this.db.close();
  }
}
