/**
 * SQLite: trades, payments, refunds, day totals and notifications: the money.
 *
 * commitPayment and commitRefund are atomic (a transaction, or for payments a savepoint
 * in a group commit) and re-check every precondition with conditional UPDATEs
 * (WHERE ... AND state = expected) and the schema's UNIQUE constraints, so a replayed
 * answer or a concurrent second payment finds the row already changed and all of its
 * changes roll back.
 */
import { Status } from '../../shared/status/codes.ts';
import type {
  Commit,
  LedgerStore,
  NotificationRow,
  PaymentCommit,
  PaymentRow,
  RefundCommit,
  RefundOutcome,
  RefundRow,
  TradeQuota,
  TradeRow,
} from '../store.ts';
import type { GroupCommit } from './group-commit.ts';
import {
  NOTIFY_COLUMNS,
  PAYMENT_COLUMNS,
  PAYMENT_COLUMNS_P,
  REFUND_COLUMNS,
  TRADE_COLUMNS,
  payment,
} from '../sql/rows.ts';
import { Refusal, refusal } from '../sql/refusal.ts';
import type { Db } from './open.ts';
import { applyPromotion, reversePromotion } from './rewards.ts';

export class SqliteLedger implements LedgerStore {
  /** Made once: db.transaction() builds a new wrapper on every call (~10 µs, a few % of a payment). */
  private readonly inTransaction: (fn: () => unknown) => unknown;

  constructor(
    private readonly db: Db,
    private readonly group: GroupCommit,
  ) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
  }

  /** Runs `fn` in a transaction; a Refusal rolls back and becomes a failed Commit. */
  private atomically<T>(fn: () => T): Commit<T> {
    try {
      return { ok: true, value: this.inTransaction(fn) as T };
    } catch (e) {
      if (e instanceof Refusal) return { ok: false, status: e.status, detail: e.detail };
      throw e;
    }
  }

  async createTrade(row: TradeRow, quota: TradeQuota): Promise<Commit<{ trade: TradeRow; created: boolean }>> {
    // One statement: the count of the terminal's open trades and the insert cannot be
    // separated by another request, so parallel creations stop at the cap exactly.
    // (PostgreSQL: lock the terminal's row first, SELECT ... FOR UPDATE, in the same transaction.)
    // It shares the commit of the payments and challenges of this turn (group-commit.ts), and
    // is acknowledged only after it; the trade it reads back is in the same transaction.
    const { changes, trade } = await this.group.run(() => {
      const r = this.db
        .prepare(`INSERT INTO trades (trade_no, merchant_id, terminal_id, out_trade_no, amount, currency, subject, notify_url, status,
        refunded_amount, created_at, paid_at, closed_at) SELECT @tradeNo, @merchantId, @terminalId, @outTradeNo, @amount, @currency,
        @subject, @notifyUrl, @status, @refundedAmount, @createdAt, @paidAt, @closedAt
        WHERE (SELECT COUNT(*) FROM trades WHERE terminal_id = @terminalId AND status = 'WAIT_BUYER_PAY' AND created_at > @openSince) < @maxOpen
        ON CONFLICT (merchant_id, out_trade_no) DO NOTHING`)
        .run({ ...row, openSince: quota.openSince, maxOpen: quota.maxOpen });
      return { changes: r.changes, trade: this.tradeNow(row.merchantId, row.outTradeNo) };
    }, false);
    if (trade) return { ok: true, value: { trade, created: changes === 1 } };
    return {
      ok: false,
      status: Status.QUOTA_EXCEEDED,
      detail: `this terminal has ${quota.maxOpen} unpaid trades open; pay, close or let some expire first`,
    };
  }

  async trade(merchantId: string, outTradeNo: string): Promise<TradeRow | undefined> {
    return this.tradeNow(merchantId, outTradeNo);
  }

  private tradeNow(merchantId: string, outTradeNo: string): TradeRow | undefined {
    return this.db
      .prepare(`SELECT ${TRADE_COLUMNS} FROM trades WHERE merchant_id = ? AND out_trade_no = ?`)
      .get(merchantId, outTradeNo) as TradeRow | undefined;
  }

  async tradeByNo(tradeNo: string): Promise<TradeRow | undefined> {
    return this.db.prepare(`SELECT ${TRADE_COLUMNS} FROM trades WHERE trade_no = ?`).get(tradeNo) as
      | TradeRow
      | undefined;
  }

  async closeTrade(tradeNo: string, now: number): Promise<Commit<TradeRow>> {
    const r = this.db
      .prepare(
        `UPDATE trades SET status = 'TRADE_CLOSED', closed_at = ? WHERE trade_no = ? AND status = 'WAIT_BUYER_PAY'`,
      )
      .run(now, tradeNo);
    if (r.changes !== 1)
      return { ok: false, status: Status.TRADE_CLOSED, detail: 'only an unpaid trade can be closed' };
    return { ok: true, value: (await this.tradeByNo(tradeNo)) as TradeRow };
  }

  /**
   * The payment's statements run in a transaction shared with the payments that arrive
   * during this event-loop turn (group-commit.ts), each in its own savepoint: a Refusal
   * rolls back this payment alone. Resolved after the COMMIT.
   */
  async commitPayment(c: PaymentCommit): Promise<Commit<PaymentRow>> {
    try {
      return { ok: true, value: await this.group.run(() => this.paymentStatements(c)) };
    } catch (e) {
      if (e instanceof Refusal) return { ok: false, status: e.status, detail: e.detail };
      throw e;
    }
  }

  private paymentStatements(c: PaymentCommit): PaymentRow {
    const p = c.payment;
    if (c.challengeId !== undefined) {
      const r = this.db
        .prepare('UPDATE challenges SET answered_at = ?, outcome = 0 WHERE id = ? AND answered_at IS NULL')
        .run(p.createdAt, c.challengeId);
      if (r.changes !== 1) throw refusal('REPLAYED');
    }
    if (c.terminalIds) for (const id of c.terminalIds) this.requirePaired(id);
    if (p.deviceId !== null) {
      const b = this.db.prepare('SELECT status FROM bands WHERE device_id = ?').get(p.deviceId) as
        | { status: string }
        | undefined;
      if (b?.status !== 'active') throw refusal('BAND_REVOKED');
    } else if (p.cardRef !== null) {
      // A password payment drawn on a card: never on a card of a band reported lost, even
      // when the band was revoked after the card was picked.
      const b = this.db
        .prepare('SELECT b.status FROM cards c JOIN bands b ON b.device_id = c.device_id WHERE c.card_ref = ?')
        .get(p.cardRef) as { status: string } | undefined;
      if (b?.status !== 'active') throw refusal('CARD_BAND_REVOKED');
    }
    const t = this.db
      .prepare(
        `UPDATE trades SET status = 'TRADE_SUCCESS', paid_at = ? WHERE trade_no = ? AND status = 'WAIT_BUYER_PAY' AND amount = ?`,
      )
      .run(p.createdAt, p.tradeNo, p.amount);
    if (t.changes !== 1) throw refusal('TRADE_CLOSED');
    if (c.counter) {
      const r = this.db
        .prepare(`UPDATE cards SET last_counter = ? WHERE card_ref = ? AND state = 'active' AND last_counter < ?`)
        .run(c.counter.value, c.counter.cardRef, c.counter.value);
      if (r.changes !== 1) throw refusal('COUNTER_NOT_INCREASING');
    }
    if (c.balance)
      this.db.prepare('UPDATE cards SET balance = ? WHERE card_ref = ?').run(c.balance.value, c.balance.cardRef);
    if (c.dayLimit) {
      // One statement adds the amount to the day's total only while the sum stays within the
      // limit (or the band confirmed): no separate read, and no RETURNING (which costs SQLite
      // a temporary table per run). The day's first payment inserts, so it is checked first.
      // The total is the limit currency's, whatever the trade's: one total per account and day.
      const { perDay, confirmed, amount, currency } = c.dayLimit;
      const over = () => refusal('LIMIT_EXCEEDED');
      if (!confirmed && amount > perDay) throw over();
      const r = this.db
        .prepare(`INSERT INTO day_totals (account_id, day, currency, total) VALUES (?, ?, ?, ?)
        ON CONFLICT (account_id, day, currency) DO UPDATE SET total = total + excluded.total WHERE ? OR total + excluded.total <= ?`)
        .run(p.accountId, p.day, currency, amount, confirmed ? 1 : 0, perDay);
      if (r.changes !== 1) throw over();
    }
    // Positional: binding thirteen named parameters from a copied object was a third of this statement.
    this.db
      .prepare(`INSERT INTO payments (id, trade_no, account_id, device_id, card_ref, amount, currency, method, counter, challenge_id, day, confirmed, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(
        p.id,
        p.tradeNo,
        p.accountId,
        p.deviceId,
        p.cardRef,
        p.amount,
        p.currency,
        p.method,
        p.counter,
        p.challengeId,
        p.day,
        p.confirmed ? 1 : 0,
        p.createdAt,
      );
    if (c.promotion) applyPromotion(this.db, c.promotion);
    if (c.notification) this.insertNotification(c.notification);
    return p;
  }

  /** Inside a money transaction: a terminal unpaired since it authenticated moves no money. */
  private requirePaired(terminalId: string): void {
    const t = this.db.prepare('SELECT unpaired_at AS unpairedAt FROM terminals WHERE id = ?').get(terminalId) as
      | { unpairedAt: number | null }
      | undefined;
    if (!t || t.unpairedAt !== null) throw refusal('TERMINAL_UNPAIRED');
  }

  private insertNotification(n: NotificationRow): void {
    this.db
      .prepare(`INSERT INTO notifications (id, trade_no, url, body, attempts, next_at, delivered_at, last_error, created_at)
      VALUES (@id, @tradeNo, @url, @body, @attempts, @nextAt, @deliveredAt, @lastError, @createdAt)`)
      .run(n);
  }

  async commitRefund(c: RefundCommit): Promise<Commit<RefundOutcome>> {
    const f = c.refund;
    return this.atomically((): RefundOutcome => {
      if (c.terminalIds) for (const id of c.terminalIds) this.requirePaired(id);
      const existing = this.db
        .prepare(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE trade_no = ? AND out_request_no = ?`)
        .get(f.tradeNo, f.outRequestNo) as RefundRow | undefined;
      if (existing) {
        if (existing.amount !== f.amount) throw refusal('REFUND_NUMBER_REUSED');
        return { refund: existing, trade: this.tradeRow(f.tradeNo), created: false };
      }
      const paid = this.db.prepare('SELECT amount FROM payments WHERE trade_no = ?').get(f.tradeNo) as
        | { amount: number }
        | undefined;
      const paidAmount = paid ? paid.amount : 0;
      // The guard is in the UPDATE itself: a concurrent refund cannot slip past it.
      const r = this.db
        .prepare(`UPDATE trades SET refunded_amount = refunded_amount + ?,
          status = CASE WHEN refunded_amount + ? = ? THEN 'TRADE_CLOSED' ELSE status END,
          closed_at = CASE WHEN refunded_amount + ? = ? THEN ? ELSE closed_at END
        WHERE trade_no = ? AND status = 'TRADE_SUCCESS' AND refunded_amount + ? <= ?`)
        .run(f.amount, f.amount, paidAmount, f.amount, paidAmount, f.createdAt, f.tradeNo, f.amount, paidAmount);
      // Nothing to refund is not the same mistake as refunding too much: say which it was.
      if (r.changes !== 1 && !paid) throw refusal('TRADE_NOT_PAID');
      if (r.changes !== 1) throw refusal('REFUND_EXCEEDS_PAID');
      this.db
        .prepare(`INSERT INTO refunds (id, trade_no, out_request_no, amount, reason, created_at)
        VALUES (@id, @tradeNo, @outRequestNo, @amount, @reason, @createdAt)`)
        .run(f);
      const trade = this.tradeRow(f.tradeNo);
      reversePromotion(this.db, f.tradeNo, trade.refundedAmount);
      return { refund: f, trade, created: true };
    });
  }

  private tradeRow(tradeNo: string): TradeRow {
    return this.db.prepare(`SELECT ${TRADE_COLUMNS} FROM trades WHERE trade_no = ?`).get(tradeNo) as TradeRow;
  }

  async payment(tradeNo: string): Promise<PaymentRow | undefined> {
    return payment(this.db.prepare(`SELECT ${PAYMENT_COLUMNS} FROM payments WHERE trade_no = ?`).get(tradeNo));
  }

  async refunds(tradeNo: string): Promise<RefundRow[]> {
    return this.db
      .prepare(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE trade_no = ? ORDER BY created_at, id`)
      .all(tradeNo) as RefundRow[];
  }

  async paymentsOf(accountId: string): Promise<Array<PaymentRow & { merchantName: string }>> {
    // The merchant's name with each payment: the owner's list says where the money went (issue 14, item 7).
    return this.db
      .prepare(`SELECT ${PAYMENT_COLUMNS_P}, COALESCE(a.display_name, '') AS merchantName
        FROM payments p JOIN trades t ON t.trade_no = p.trade_no LEFT JOIN accounts a ON a.id = t.merchant_id
        WHERE p.account_id = ? ORDER BY p.created_at DESC, p.id`)
      .all(accountId)
      .map((r) => payment(r) as PaymentRow & { merchantName: string });
  }

  async refundsOf(accountId: string): Promise<RefundRow[]> {
    return this.db
      .prepare(`SELECT r.id, r.trade_no AS tradeNo, r.out_request_no AS outRequestNo, r.amount, r.reason, r.created_at AS createdAt
        FROM refunds r JOIN payments p ON p.trade_no = r.trade_no WHERE p.account_id = ? ORDER BY r.created_at DESC, r.id`)
      .all(accountId) as RefundRow[];
  }

  async counts(): Promise<{ trades: number; payments: number; refunds: number; notifications: number }> {
    const n = (table: string): number =>
      (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { trades: n('trades'), payments: n('payments'), refunds: n('refunds'), notifications: n('notifications') };
  }

  async claimDueNotifications(now: number, limit: number, leaseMs: number): Promise<NotificationRow[]> {
    // One statement, so one write transaction: two processes on the file cannot claim a row twice.
    return this.db
      .prepare(`UPDATE notifications SET next_at = ? WHERE id IN (
          SELECT id FROM notifications WHERE delivered_at IS NULL AND next_at <= ? ORDER BY next_at LIMIT ?)
        RETURNING ${NOTIFY_COLUMNS}`)
      .all(now + leaseMs, now, limit) as NotificationRow[];
  }

  async notificationsOf(tradeNo: string): Promise<NotificationRow[]> {
    return this.db
      .prepare(`SELECT ${NOTIFY_COLUMNS} FROM notifications WHERE trade_no = ? ORDER BY created_at`)
      .all(tradeNo) as NotificationRow[];
  }

  async recordNotifyAttempt(
    id: string,
    delivered: boolean,
    now: number,
    nextAt: number,
    error: string | null,
  ): Promise<void> {
    this.db
      .prepare(
        `UPDATE notifications SET attempts = attempts + 1, delivered_at = ?, next_at = ?, last_error = ? WHERE id = ? AND delivered_at IS NULL`,
      )
      .run(delivered ? now : null, nextAt, error, id);
  }
}
