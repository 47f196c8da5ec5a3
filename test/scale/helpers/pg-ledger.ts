/**
 * The ledger checks of test/hardening/helpers/ledger-check.ts on a PostgreSQL database: the
 * same invariants (plain SQL both databases run; the store has no method that asks them),
 * and the attempts the load made, each looked up through the store (PgStore) as the
 * checkout itself reads trades and payments.
 */
import pg from 'pg';
import type { PgStore } from '../../../checkout/postgres/store.ts';
import { INVARIANTS, type LedgerTotals } from '../../hardening/helpers/ledger-check.ts';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Every broken invariant, with the rows that break it; empty when consistent. */
export function pgLedgerProblems(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const out: string[] = [];
    for (const [what, sql] of INVARIANTS) {
      const { rows } = await c.query(sql);
      if (rows.length) out.push(`${what}: ${JSON.stringify(rows.slice(0, 5))}`);
    }
    return out;
  });
}

/** Sums the store has no method for (it counts rows: ledger.counts()). */
export function pgLedgerTotals(url: string): Promise<LedgerTotals> {
  return withClient(url, async (c) => {
    const one = async (sql: string) => Number((await c.query<{ n: string }>(sql)).rows[0].n);
    return {
      trades: await one('SELECT COUNT(*) AS n FROM trades'),
      paidTrades: await one("SELECT COUNT(*) AS n FROM trades WHERE status = 'TRADE_SUCCESS'"),
      payments: await one('SELECT COUNT(*) AS n FROM payments'),
      paidAmount: await one('SELECT COALESCE(SUM(amount), 0) AS n FROM trades WHERE paid_at IS NOT NULL'),
      paymentsAmount: await one('SELECT COALESCE(SUM(amount), 0) AS n FROM payments'),
    };
  });
}

/**
 * The attempts (out_trade_no and amount) that are not in the ledger as exactly one payment
 * of that amount on a paid trade of the merchant: empty when every one is paid once.
 */
export async function notPaidOnce(
  store: PgStore,
  merchantId: string,
  attempts: ReadonlyArray<{ outTradeNo: string; amount: number }>,
): Promise<string[]> {
  const out: string[] = [];
  // A few at a time: the pool has a handful of connections.
  for (let i = 0; i < attempts.length; i += 8) {
    const batch = attempts.slice(i, i + 8).map(async (a) => {
      const t = await store.ledger.trade(merchantId, a.outTradeNo);
      if (!t) return `${a.outTradeNo}: no trade`;
      const p = await store.ledger.payment(t.tradeNo);
      if (t.status !== 'TRADE_SUCCESS' || !p || p.amount !== a.amount)
        return `${a.outTradeNo}: ${t.status}, payment ${p ? p.amount : 'none'}, expected ${a.amount}`;
      return undefined;
    });
    for (const problem of await Promise.all(batch)) if (problem) out.push(problem);
  }
  return out;
}
