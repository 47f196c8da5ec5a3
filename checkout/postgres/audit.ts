/** PostgreSQL: the auditor's whole-ledger reads (audit-store.ts), the SQLite store's statements. */
import type { AuditPaymentRow, AuditStore } from '../audit-store.ts';
import { AUDIT_PAYMENTS, PAID_TOTAL, PAID_WITHOUT_PAYMENT } from '../sql/audit.ts';
import { type PgDatabase, quoteAliases } from './connect.ts';

export class PgAudit implements AuditStore {
  constructor(private readonly db: PgDatabase) {}

  async payments(): Promise<AuditPaymentRow[]> {
    // No row order in PostgreSQL: commit time, then the card's counter (a card's payments
    // commit one after another, so within a millisecond the counter orders them).
    return (await this.db.query<AuditPaymentRow>(`${quoteAliases(AUDIT_PAYMENTS)} ORDER BY p.created_at, p.counter`))
      .rows;
  }

  async paidTradesWithoutPayment(): Promise<number> {
    return (await this.db.query<{ n: number }>(PAID_WITHOUT_PAYMENT)).rows[0].n;
  }

  async paidTradesTotal(): Promise<number> {
    return (await this.db.query<{ n: number }>(PAID_TOTAL)).rows[0].n;
  }
}
