/** SQLite: the auditor's whole-ledger reads (audit-store.ts). */
import type { AuditPaymentRow, AuditStore } from '../audit-store.ts';
import { AUDIT_PAYMENTS, PAID_TOTAL, PAID_WITHOUT_PAYMENT } from '../sql/audit.ts';
import type { Db } from './open.ts';

export class SqliteAudit implements AuditStore {
  constructor(private readonly db: Db) {}

  async payments(): Promise<AuditPaymentRow[]> {
    return this.db.prepare(`${AUDIT_PAYMENTS} ORDER BY p.rowid`).all() as AuditPaymentRow[];
  }

  async paidTradesWithoutPayment(): Promise<number> {
    return (this.db.prepare(PAID_WITHOUT_PAYMENT).get() as { n: number }).n;
  }

  async paidTradesTotal(): Promise<number> {
    return (this.db.prepare(PAID_TOTAL).get() as { n: number }).n;
  }
}
