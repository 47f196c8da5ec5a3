/**
 * The ledger checks of test/hardening/helpers/ledger-check.ts on a PostgreSQL database: the
 * same invariants (plain SQL both databases run; the store has no method that asks them),
 * and the attempts the load made against the payments the store's audit reads.
 */
import pg from 'pg';
import { expect } from 'vitest';
import type { AuditPaymentRow } from '../../../checkout/audit-store.ts';
import type { PgStore } from '../../../checkout/postgres/store.ts';
import type { CheckoutStore } from '../../../checkout/store.ts';
import { INVARIANTS } from '../../hardening/helpers/ledger-check.ts';

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

/**
 * How the ledger differs from the attempts the load made, read through the store's audit
 * (every payment with its trade): an attempt without exactly one payment of its amount on
 * a paid trade, or a payment no attempt made. Empty when they match.
 */
export async function ledgerVersusAttempts(
  store: CheckoutStore,
  attempts: ReadonlyArray<{ outTradeNo: string; amount: number }>,
): Promise<string[]> {
  const paid = new Map<string, AuditPaymentRow[]>();
  for (const p of await store.audit.payments()) paid.set(p.outTradeNo, [...(paid.get(p.outTradeNo) ?? []), p]);
  const out: string[] = [];
  for (const a of attempts) {
    const rows = paid.get(a.outTradeNo) ?? [];
    paid.delete(a.outTradeNo);
    if (rows.length !== 1) out.push(`${a.outTradeNo}: ${rows.length} payments`);
    else if (rows[0].amount !== a.amount || rows[0].tradeStatus !== 'TRADE_SUCCESS')
      out.push(`${a.outTradeNo}: ${rows[0].amount} on a ${rows[0].tradeStatus} trade, expected ${a.amount}`);
  }
  for (const outTradeNo of paid.keys()) out.push(`${outTradeNo}: paid, but no attempt made it`);
  return out;
}

/**
 * The ledger after a load holds exactly what the load was told: the invariants, one payment
 * per attempt at its amount, `total` trades and payments, no paid trade without its payment,
 * and the paid total the attempts add up to.
 */
export async function expectLedgerMatchesLoad(
  url: string,
  store: PgStore,
  attempts: ReadonlyArray<{ outTradeNo: string; amount: number }>,
  total: number,
): Promise<void> {
  expect(await pgLedgerProblems(url)).toEqual([]);
  expect(await ledgerVersusAttempts(store, attempts)).toEqual([]);
  const counts = await store.ledger.counts();
  expect(counts.trades).toBe(total);
  expect(counts.payments).toBe(total);
  expect(await store.audit.paidTradesWithoutPayment()).toBe(0);
  expect(await store.audit.paidTradesTotal()).toBe(attempts.reduce((s, a) => s + a.amount, 0));
}
