/**
 * What "the ledger is consistent" means, as SQL over the checkout's file, and a digest of
 * everything money-related (to show that a refused or garbage request changed nothing).
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Db } from '../../../checkout/sqlite/open.ts';

/** A second, read-only connection (WAL: sees every committed transaction, blocks nothing). */
export function openReader(file: string): Db {
  return new Database(file, { readonly: true, fileMustExist: true });
}

const DIGESTED: Record<string, string> = {
  trades: 'SELECT * FROM trades ORDER BY trade_no',
  payments: 'SELECT * FROM payments ORDER BY id',
  refunds: 'SELECT * FROM refunds ORDER BY id',
  day_totals: 'SELECT * FROM day_totals ORDER BY account_id, day, currency',
  notifications: 'SELECT id, trade_no, url, body FROM notifications ORDER BY id',
  cards: 'SELECT card_ref, state, balance, last_counter FROM cards ORDER BY card_ref',
  bands: 'SELECT device_id, status FROM bands ORDER BY device_id',
  challenges: 'SELECT id, answered_at, outcome FROM challenges ORDER BY id',
};

/** SHA-256 over the rows of `tables` (default: all money, cards, bands and challenge states). */
export function ledgerDigest(db: Db, tables: string[] = Object.keys(DIGESTED)): string {
  const h = createHash('sha256');
  for (const t of tables)
    h.update(
      JSON.stringify(db.prepare(DIGESTED[t]).all(), (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)),
    );
  return h.digest('hex');
}

/** [what breaks, the rows that break it]: plain SQL that SQLite and PostgreSQL both run. */
export const INVARIANTS: Array<[string, string]> = [
  ['a trade with more than one payment', 'SELECT trade_no FROM payments GROUP BY trade_no HAVING COUNT(*) > 1'],
  [
    'a payment without a matching paid trade',
    `SELECT p.id FROM payments p LEFT JOIN trades t ON t.trade_no = p.trade_no
     WHERE t.trade_no IS NULL OR t.amount != p.amount OR t.currency != p.currency OR t.paid_at IS NULL OR t.status = 'WAIT_BUYER_PAY'`,
  ],
  [
    'a paid trade without its payment',
    `SELECT t.trade_no FROM trades t LEFT JOIN payments p ON p.trade_no = t.trade_no
     WHERE (t.status = 'TRADE_SUCCESS' OR t.paid_at IS NOT NULL) AND p.id IS NULL`,
  ],
  [
    'a band payment whose challenge is not answered OK',
    `SELECT p.id FROM payments p LEFT JOIN challenges c ON c.id = p.challenge_id
     WHERE p.method = 'band' AND (c.id IS NULL OR c.answered_at IS NULL OR c.outcome != 0 OR c.trade_no != p.trade_no)`,
  ],
  [
    'one challenge paying twice',
    'SELECT challenge_id FROM payments WHERE challenge_id IS NOT NULL GROUP BY challenge_id HAVING COUNT(*) > 1',
  ],
  [
    'a day total that is not the sum of its band payments',
    `SELECT d.account_id FROM day_totals d WHERE d.total != (
     SELECT COALESCE(SUM(p.amount), 0) FROM payments p JOIN challenges c ON c.id = p.challenge_id
     WHERE p.account_id = d.account_id AND p.day = d.day AND p.currency = d.currency AND p.method = 'band' AND c.express = 0)`,
  ],
  [
    'a band payment missing from the day totals',
    `SELECT p.id FROM payments p JOIN challenges c ON c.id = p.challenge_id
     LEFT JOIN day_totals d ON d.account_id = p.account_id AND d.day = p.day AND d.currency = p.currency
     WHERE p.method = 'band' AND c.express = 0 AND d.account_id IS NULL`,
  ],
  [
    "a card counter that is not its last payment's",
    `SELECT c.card_ref FROM cards c JOIN (SELECT card_ref, MAX(counter) AS m FROM payments
     WHERE method = 'band' GROUP BY card_ref) p ON p.card_ref = c.card_ref WHERE c.last_counter != p.m`,
  ],
  [
    'a card counter used twice',
    "SELECT card_ref FROM payments WHERE method = 'band' GROUP BY card_ref, counter HAVING COUNT(*) > 1",
  ],
  [
    'refunds that do not add up',
    `SELECT t.trade_no FROM trades t WHERE t.refunded_amount != (SELECT COALESCE(SUM(amount), 0) FROM refunds r WHERE r.trade_no = t.trade_no)
     OR t.refunded_amount > COALESCE((SELECT amount FROM payments p WHERE p.trade_no = t.trade_no), 0)`,
  ],
];

/** Every broken invariant, with the rows that break it; empty when consistent. */
export function ledgerProblems(db: Db): string[] {
  const out: string[] = [];
  for (const [what, sql] of INVARIANTS) {
    const rows = db.prepare(sql).all();
    if (rows.length) out.push(`${what}: ${JSON.stringify(rows.slice(0, 5))}`);
  }
  const integrity = db.pragma('integrity_check', { simple: true });
  if (integrity !== 'ok') out.push(`integrity_check: ${String(integrity)}`);
  return out;
}

export interface LedgerTotals {
  trades: number;
  paidTrades: number;
  payments: number;
  paidAmount: number;
  paymentsAmount: number;
}

export function ledgerTotals(db: Db): LedgerTotals {
  const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    trades: one('SELECT COUNT(*) AS n FROM trades'),
    paidTrades: one("SELECT COUNT(*) AS n FROM trades WHERE status = 'TRADE_SUCCESS'"),
    payments: one('SELECT COUNT(*) AS n FROM payments'),
    paidAmount: one('SELECT COALESCE(SUM(amount), 0) AS n FROM trades WHERE paid_at IS NOT NULL'),
    paymentsAmount: one('SELECT COALESCE(SUM(amount), 0) AS n FROM payments'),
  };
}
