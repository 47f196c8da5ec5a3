/** The auditor's reads (audit-store.ts), plain SQL both stores run (PostgreSQL with quoted aliases). */
export const AUDIT_PAYMENTS = `SELECT p.trade_no AS tradeNo, t.out_trade_no AS outTradeNo, p.amount, t.amount AS tradeAmount,
  t.status AS tradeStatus, p.account_id AS accountId, p.device_id AS deviceId, p.card_ref AS cardRef, p.counter,
  p.challenge_id AS challengeId, p.created_at AS createdAt
  FROM payments p JOIN trades t ON t.trade_no = p.trade_no`;
export const PAID_WITHOUT_PAYMENT = `SELECT COUNT(*) AS n FROM trades t WHERE t.paid_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.trade_no = t.trade_no)`;
export const PAID_TOTAL = 'SELECT COALESCE(SUM(amount), 0) AS n FROM trades WHERE paid_at IS NOT NULL';
