/**
 * The column lists and row mappers both stores share: SQLite's and PostgreSQL's tables have
 * the same columns (snake_case), and each list renames them to the row types' camelCase
 * (rows.ts). PostgreSQL folds unquoted aliases to lower case, so its store quotes them
 * (postgres/connect.ts quoteAliases). Flags are INTEGER 0/1 in both.
 */
import type { AccountRow, BandRow, CardRow, ChallengeRow, CheckoutKeyRow, PaymentRow, TerminalRow } from '../rows.ts';

/** The drivers hand out Buffers; protocol code wants plain Uint8Arrays. */
export function bytes(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new Error('expected a BLOB');
  return new Uint8Array(v);
}

export function bytesOrNull(v: unknown): Uint8Array | null {
  return v === null || v === undefined ? null : bytes(v);
}

export const BAND_COLUMNS = `device_id AS deviceId, account_id AS accountId, name, signing_key AS signingKey, hpke_key AS hpkeKey,
  status, enrolled_at AS enrolledAt, revoked_at AS revokedAt, wiped_at AS wipedAt, unlocked_at AS unlockedAt,
  checkout_key AS checkoutKey, last_seen_at AS lastSeenAt, last_seen_terminal AS lastSeenTerminal,
  last_seen_battery AS lastSeenBattery, find_requested_at AS findRequestedAt, rang_at AS rangAt`;
export const CARD_COLUMNS = `card_ref AS cardRef, device_id AS deviceId, kind, issuer_id AS issuerId, issuer, last4, is_default AS isDefault,
  city, currency, balance, fare_cap AS fareCap, state, last_counter AS lastCounter, created_at AS createdAt`;

export function band(r: unknown): BandRow | undefined {
  if (!r) return undefined;
  const b = r as BandRow;
  return { ...b, signingKey: bytes(b.signingKey), hpkeKey: bytes(b.hpkeKey) };
}

export function card(r: unknown): CardRow | undefined {
  if (!r) return undefined;
  const c = r as Omit<CardRow, 'isDefault'> & { isDefault: number };
  return { ...c, isDefault: c.isDefault === 1 };
}

export const TRADE_COLUMNS = `trade_no AS tradeNo, merchant_id AS merchantId, terminal_id AS terminalId, out_trade_no AS outTradeNo,
  amount, currency, subject, notify_url AS notifyUrl, status, refunded_amount AS refundedAmount, created_at AS createdAt,
  paid_at AS paidAt, closed_at AS closedAt`;
export const PAYMENT_COLUMNS = `id, trade_no AS tradeNo, account_id AS accountId, device_id AS deviceId, card_ref AS cardRef, amount,
  currency, method, counter, challenge_id AS challengeId, day, confirmed, created_at AS createdAt`;
export const PAYMENT_COLUMNS_P = `p.id, p.trade_no AS tradeNo, p.account_id AS accountId, p.device_id AS deviceId, p.card_ref AS cardRef, p.amount,
  p.currency, p.method, p.counter, p.challenge_id AS challengeId, p.day, p.confirmed, p.created_at AS createdAt`;
export const REFUND_COLUMNS =
  'id, trade_no AS tradeNo, out_request_no AS outRequestNo, amount, reason, created_at AS createdAt';
export const NOTIFY_COLUMNS = `id, trade_no AS tradeNo, url, body, attempts, next_at AS nextAt, delivered_at AS deliveredAt,
  last_error AS lastError, created_at AS createdAt`;

export function payment(r: unknown): PaymentRow | undefined {
  if (!r) return undefined;
  const p = r as Omit<PaymentRow, 'confirmed'> & { confirmed: number };
  return { ...p, confirmed: p.confirmed === 1 };
}

export const CHALLENGE_COLUMNS = `id, device_id AS deviceId, kind, nonce, expires_at AS expiresAt, trade_no AS tradeNo, terminal_id AS terminalId,
  card_ref AS cardRef, express, enc, answer_secret AS answerSecret, result_secret AS resultSecret, created_at AS createdAt,
  answered_at AS answeredAt, outcome, terms`;

export function challenge(r: unknown): ChallengeRow | undefined {
  if (!r) return undefined;
  const c = r as Omit<ChallengeRow, 'express'> & { express: number };
  return {
    ...c,
    express: c.express === 1,
    nonce: bytes(c.nonce),
    enc: bytes(c.enc),
    answerSecret: bytes(c.answerSecret),
    resultSecret: bytes(c.resultSecret),
  };
}

export const PROMOTION_USE_COLUMNS = `trade_no AS tradeNo, payment_id AS paymentId, account_id AS accountId, card_ref AS cardRef,
  issuer_id AS issuerId, promotion_id AS promotionId, points_promotion_id AS pointsPromotionId, label, list_amount AS listAmount,
  discount, points, discount_reversed AS discountReversed, points_reversed AS pointsReversed, created_at AS createdAt`;

export const ACCOUNT_COLUMNS = `id, username, kind, display_name AS displayName, password_hash AS passwordHash,
  password_salt AS passwordSalt, pay_hash AS payHash, pay_salt AS paySalt,
  limit_per_payment AS limitPerPayment, limit_per_day AS limitPerDay, created_at AS createdAt`;

export function account(r: unknown): AccountRow | undefined {
  if (!r) return undefined;
  const a = r as AccountRow;
  return {
    ...a,
    passwordHash: bytes(a.passwordHash),
    passwordSalt: bytes(a.passwordSalt),
    payHash: bytesOrNull(a.payHash),
    paySalt: bytesOrNull(a.paySalt),
  };
}

export const CODE_COLUMNS = 'code, merchant_id AS merchantId, expires_at AS expiresAt, used_at AS usedAt';
export const TERMINAL_COLUMNS =
  'id, merchant_id AS merchantId, name, public_key AS publicKey, created_at AS createdAt, unpaired_at AS unpairedAt, suspended_at AS suspendedAt';

export function terminal(r: unknown): TerminalRow | undefined {
  if (!r) return undefined;
  const t = r as TerminalRow;
  return { ...t, publicKey: bytes(t.publicKey) };
}

export const KEY_COLUMNS = 'id, signing, hpke, state, created_at AS createdAt, retired_at AS retiredAt';

export function keyRow(r: unknown): CheckoutKeyRow {
  const k = r as CheckoutKeyRow;
  return { ...k, signing: bytesOrNull(k.signing), hpke: bytesOrNull(k.hpke) };
}
