/**
 * PostgreSQL: trades, payments, refunds, day totals and notifications: the money. A
 * payment is one statement (payment-statement.ts); a refund one serializable transaction
 * that re-checks what it depends on, as the SQLite store's.
 */
import { Status } from '../../shared/status/codes.ts';
import {
  NOTIFY_COLUMNS,
  PAYMENT_COLUMNS,
  PAYMENT_COLUMNS_P,
  REFUND_COLUMNS,
  TRADE_COLUMNS,
  payment,
} from '../sql/rows.ts';
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
import { type PgDatabase, type Queryable, quoteAliases } from './connect.ts';
import { LEDGER_REFUSALS, Refusal, refusal } from '../sql/refusal.ts';
import { PAYMENT_SQL, type PaymentRefusal, paymentParams } from './payment-statement.ts';
import { reversePromotion } from './rewards.ts';

const TRADE = quoteAliases(TRADE_COLUMNS);
const PAYMENT = quoteAliases(PAYMENT_COLUMNS);
const PAYMENT_P = quoteAliases(PAYMENT_COLUMNS_P);
const REFUND = quoteAliases(REFUND_COLUMNS);
const NOTIFY = quoteAliases(NOTIFY_COLUMNS);

export class PgLedger implements LedgerStore {
  /** Payment statements run by this process, and the seconds they took (metrics). */
  readonly commitStats = { transactions: 0, works: 0, seconds: 0 };

  constructor(private readonly db: PgDatabase) {}

  async createTrade(row: TradeRow, quota: TradeQuota): Promise<Commit<{ trade: TradeRow; created: boolean }>> {
    // Count and insert in one serializable statement: parallel creations stop at the cap.
    const r = await this.db.query(
      `INSERT INTO trades (trade_no, merchant_id, terminal_id, out_trade_no, amount, currency, subject, notify_url, status,
        refunded_amount, created_at, paid_at, closed_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13
       WHERE (SELECT COUNT(*) FROM trades WHERE terminal_id = $3 AND status = 'WAIT_BUYER_PAY' AND created_at > $14) < $15
       ON CONFLICT (merchant_id, out_trade_no) DO NOTHING`,
      [
        row.tradeNo,
        row.merchantId,
        row.terminalId,
        row.outTradeNo,
        row.amount,
        row.currency,
        row.subject,
        row.notifyUrl,
        row.status,
        row.refundedAmount,
        row.createdAt,
        row.paidAt,
        row.closedAt,
        quota.openSince,
        quota.maxOpen,
      ],
    );
    const trade = await this.trade(row.merchantId, row.outTradeNo);
    if (trade) return { ok: true, value: { trade, created: r.rowCount === 1 } };
    return {
      ok: false,
      status: Status.QUOTA_EXCEEDED,
      detail: `this terminal has ${quota.maxOpen} unpaid trades open; pay, close or let some expire first`,
    };
  }

  async trade(merchantId: string, outTradeNo: string): Promise<TradeRow | undefined> {
    const r = await this.db.query<TradeRow>(
      `SELECT ${TRADE} FROM trades WHERE merchant_id = $1 AND out_trade_no = $2`,
      [merchantId, outTradeNo],
    );
    return r.rows[0];
  }

  async tradeByNo(tradeNo: string): Promise<TradeRow | undefined> {
    return (await this.db.query<TradeRow>(`SELECT ${TRADE} FROM trades WHERE trade_no = $1`, [tradeNo])).rows[0];
  }

  async closeTrade(tradeNo: string, now: number): Promise<Commit<TradeRow>> {
    const r = await this.db.query<TradeRow>(
      `UPDATE trades SET status = 'TRADE_CLOSED', closed_at = $2 WHERE trade_no = $1 AND status = 'WAIT_BUYER_PAY' RETURNING ${TRADE}`,
      [tradeNo, now],
    );
    if (r.rowCount !== 1)
      return { ok: false, status: Status.TRADE_CLOSED, detail: 'only an unpaid trade can be closed' };
    return { ok: true, value: r.rows[0] };
  }

  async commitPayment(c: PaymentCommit): Promise<Commit<PaymentRow>> {
    const started = performance.now();
    const r = await this.db.query<{ refusal: PaymentRefusal | null }>(PAYMENT_SQL, paymentParams(c));
    this.commitStats.seconds += (performance.now() - started) / 1000;
    this.commitStats.transactions += 1;
    const refused = r.rows[0]?.refusal ?? null;
    if (refused !== null) return { ok: false, ...LEDGER_REFUSALS[refused] };
    this.commitStats.works += 1;
    return { ok: true, value: c.payment };
  }

  async commitRefund(c: RefundCommit): Promise<Commit<RefundOutcome>> {
    const f = c.refund;
    try {
      const value = await this.db.tx(async (q): Promise<RefundOutcome> => {
        if (c.terminalIds) for (const id of c.terminalIds) await requirePaired(q, id);
        const existing = (
          await q.query<RefundRow>(`SELECT ${REFUND} FROM refunds WHERE trade_no = $1 AND out_request_no = $2`, [
            f.tradeNo,
            f.outRequestNo,
          ])
        ).rows[0];
        if (existing) {
          if (existing.amount !== f.amount) throw refusal('REFUND_NUMBER_REUSED');
          return { refund: existing, trade: await tradeRow(q, f.tradeNo), created: false };
        }
        const paid = (await q.query<{ amount: number }>('SELECT amount FROM payments WHERE trade_no = $1', [f.tradeNo]))
          .rows[0];
        const paidAmount = paid ? paid.amount : 0;
        const r = await q.query(
          `UPDATE trades SET refunded_amount = refunded_amount + $1,
             status = CASE WHEN refunded_amount + $1 = $2 THEN 'TRADE_CLOSED' ELSE status END,
             closed_at = CASE WHEN refunded_amount + $1 = $2 THEN $3 ELSE closed_at END
           WHERE trade_no = $4 AND status = 'TRADE_SUCCESS' AND refunded_amount + $1 <= $2`,
          [f.amount, paidAmount, f.createdAt, f.tradeNo],
        );
        if (r.rowCount !== 1 && !paid) throw refusal('TRADE_NOT_PAID');
        if (r.rowCount !== 1) throw refusal('REFUND_EXCEEDS_PAID');
        // A second refund with this number racing in another process conflicts on the trade row
        // above (one of the two is run again and finds this refund): the idempotent reply, not a
        // unique violation.
        await q.query(
          'INSERT INTO refunds (id, trade_no, out_request_no, amount, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
          [f.id, f.tradeNo, f.outRequestNo, f.amount, f.reason, f.createdAt],
        );
        const trade = await tradeRow(q, f.tradeNo);
        await reversePromotion(q, f.tradeNo, trade.refundedAmount);
        return { refund: f, trade, created: true };
      });
      return { ok: true, value };
    } catch (e) {
      if (e instanceof Refusal) return { ok: false, status: e.status, detail: e.detail };
      throw e;
    }
  }

  async payment(tradeNo: string): Promise<PaymentRow | undefined> {
    return payment((await this.db.query(`SELECT ${PAYMENT} FROM payments WHERE trade_no = $1`, [tradeNo])).rows[0]);
  }

  async refunds(tradeNo: string): Promise<RefundRow[]> {
    return (
      await this.db.query<RefundRow>(`SELECT ${REFUND} FROM refunds WHERE trade_no = $1 ORDER BY created_at, id`, [
        tradeNo,
      ])
    ).rows;
  }

  async paymentsOf(accountId: string): Promise<Array<PaymentRow & { merchantName: string }>> {
    const r = await this.db.query(
      `SELECT ${PAYMENT_P}, COALESCE(a.display_name, '') AS "merchantName"
       FROM payments p JOIN trades t ON t.trade_no = p.trade_no LEFT JOIN accounts a ON a.id = t.merchant_id
       WHERE p.account_id = $1 ORDER BY p.created_at DESC, p.id`,
      [accountId],
    );
    return r.rows.map((x) => payment(x) as PaymentRow & { merchantName: string });
  }

  async refundsOf(accountId: string): Promise<RefundRow[]> {
    const r = await this.db.query<RefundRow>(
      `SELECT r.id, r.trade_no AS "tradeNo", r.out_request_no AS "outRequestNo", r.amount, r.reason, r.created_at AS "createdAt"
       FROM refunds r JOIN payments p ON p.trade_no = r.trade_no WHERE p.account_id = $1 ORDER BY r.created_at DESC, r.id`,
      [accountId],
    );
    return r.rows;
  }

  async counts(): Promise<{ trades: number; payments: number; refunds: number; notifications: number }> {
    const r = await this.db.query<{ trades: number; payments: number; refunds: number; notifications: number }>(
      `SELECT (SELECT COUNT(*) FROM trades) AS trades, (SELECT COUNT(*) FROM payments) AS payments,
        (SELECT COUNT(*) FROM refunds) AS refunds, (SELECT COUNT(*) FROM notifications) AS notifications`,
    );
    return r.rows[0];
  }

  async claimDueNotifications(now: number, limit: number, leaseMs: number): Promise<NotificationRow[]> {
    // SKIP LOCKED: a row another process is claiming right now is left to it, not waited for.
    // The lease is next_at itself: a claimed row is not due again until the lease ends, so a
    // sender that dies mid-way leaves it to be sent by someone else later.
    const r = await this.db.query<NotificationRow>(
      `UPDATE notifications SET next_at = $2 WHERE id IN (
         SELECT id FROM notifications WHERE delivered_at IS NULL AND next_at <= $1 ORDER BY next_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       AND delivered_at IS NULL AND next_at <= $1 RETURNING ${NOTIFY}`,
      [now, now + leaseMs, limit],
    );
    return r.rows;
  }

  async notificationsOf(tradeNo: string): Promise<NotificationRow[]> {
    return (
      await this.db.query<NotificationRow>(
        `SELECT ${NOTIFY} FROM notifications WHERE trade_no = $1 ORDER BY created_at`,
        [tradeNo],
      )
    ).rows;
  }

  async recordNotifyAttempt(
    id: string,
    delivered: boolean,
    now: number,
    nextAt: number,
    error: string | null,
  ): Promise<void> {
    await this.db.query(
      `UPDATE notifications SET attempts = attempts + 1, delivered_at = $2, next_at = $3, last_error = $4
       WHERE id = $1 AND delivered_at IS NULL`,
      [id, delivered ? now : null, nextAt, error],
    );
  }
}

/** Inside a money transaction: a terminal unpaired since it authenticated moves no money (locked against a concurrent unpairing). */
async function requirePaired(q: Queryable, terminalId: string): Promise<void> {
  const t = (
    await q.query<{ unpairedAt: number | null }>(
      'SELECT unpaired_at AS "unpairedAt" FROM terminals WHERE id = $1 FOR SHARE',
      [terminalId],
    )
  ).rows[0];
  if (!t || t.unpairedAt !== null) throw refusal('TERMINAL_UNPAIRED');
}

async function tradeRow(q: Queryable, tradeNo: string): Promise<TradeRow> {
  return (await q.query<TradeRow>(`SELECT ${TRADE} FROM trades WHERE trade_no = $1`, [tradeNo])).rows[0];
}
