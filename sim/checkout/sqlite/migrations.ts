/**
 * Numbered schema migrations for the SQLite store. Append only: a migration that has
 * shipped is never edited, a change is a new number. `migrations` records which ran.
 *
 * Uniqueness that the money depends on lives in the schema, not only in code:
 * one payment per trade, one trade per (merchant, outTradeNo), one refund per
 * (trade, outRequestNo), one challenge per nonce.
 *
 * A payment's commit is the checkout's hot path (docs/HARDENING.md): every index on
 * `payments` is a B-tree it writes a page of, and every constraint on the columns it
 * updates is evaluated each time, so version 2 trims both to what is needed.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The migration rebuilds a table that others reference (SQLite's "12-step" ALTER TABLE,
   * https://sqlite.org/lang_altertable.html#otheralter): it runs with foreign keys off, and
   * PRAGMA foreign_key_check must come back empty before it commits.
   */
  rebuildsReferencedTable?: boolean;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('owner', 'merchant')),
  display_name TEXT NOT NULL,
  password_hash BLOB NOT NULL,
  password_salt BLOB NOT NULL,
  pay_hash BLOB,
  pay_salt BLOB,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until INTEGER NOT NULL DEFAULT 0,
  limit_per_payment INTEGER NOT NULL,
  limit_per_day INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash BLOB PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  csrf TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE enroll_offers (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  nonce BLOB NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE bands (
  device_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  signing_key BLOB NOT NULL,
  hpke_key BLOB NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'wiped')),
  enrolled_at INTEGER NOT NULL,
  revoked_at INTEGER,
  wiped_at INTEGER,
  unlocked_at INTEGER
);
CREATE INDEX bands_account ON bands(account_id);

CREATE TABLE cards (
  card_ref TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES bands(device_id),
  kind TEXT NOT NULL CHECK (kind IN ('bank', 'transit')),
  issuer_id TEXT NOT NULL,
  issuer TEXT NOT NULL,
  last4 TEXT NOT NULL,
  is_default INTEGER NOT NULL,
  city TEXT,
  currency TEXT NOT NULL,
  balance INTEGER NOT NULL,
  fare_cap INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'removing', 'removed', 'failed')),
  last_counter INTEGER NOT NULL DEFAULT -1,
  created_at INTEGER NOT NULL
);
CREATE INDEX cards_band ON cards(device_id);

CREATE TABLE challenges (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES bands(device_id),
  kind TEXT NOT NULL,
  nonce BLOB NOT NULL UNIQUE,
  expires_at INTEGER NOT NULL,
  trade_no TEXT,
  terminal_id TEXT,
  card_ref TEXT,
  express INTEGER NOT NULL,
  enc BLOB NOT NULL,
  answer_secret BLOB NOT NULL,
  result_secret BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  answered_at INTEGER,
  outcome INTEGER
);

CREATE TABLE pairing_codes (
  code TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES accounts(id),
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);

CREATE TABLE terminals (
  id TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  public_key BLOB NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE trades (
  trade_no TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES accounts(id),
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  out_trade_no TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  subject TEXT NOT NULL,
  notify_url TEXT,
  status TEXT NOT NULL CHECK (status IN ('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSED')),
  refunded_amount INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  paid_at INTEGER,
  closed_at INTEGER,
  UNIQUE (merchant_id, out_trade_no),
  CHECK (refunded_amount >= 0 AND refunded_amount <= amount)
);

CREATE TABLE payments (
  id TEXT PRIMARY KEY,
  trade_no TEXT NOT NULL UNIQUE REFERENCES trades(trade_no),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  device_id TEXT,
  card_ref TEXT,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('band', 'password')),
  counter INTEGER,
  challenge_id TEXT UNIQUE,
  day INTEGER NOT NULL,
  confirmed INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX payments_account ON payments(account_id);

CREATE TABLE refunds (
  id TEXT PRIMARY KEY,
  trade_no TEXT NOT NULL REFERENCES trades(trade_no),
  out_request_no TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  reason TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (trade_no, out_request_no)
);

CREATE TABLE day_totals (
  account_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  currency TEXT NOT NULL,
  total INTEGER NOT NULL,
  PRIMARY KEY (account_id, day, currency)
);

CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  trade_no TEXT NOT NULL REFERENCES trades(trade_no),
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX notifications_due ON notifications(delivered_at, next_at);
`,
  },
  {
    version: 2,
    name: 'less work per payment: payments indexes, trades status check',
    rebuildsReferencedTable: true,
    // payments: dropped the primary key on the random payment id and UNIQUE(challenge_id).
    // Nothing looks a payment up by either, and each cost a page write at a random place per
    // payment (a fifth of the commit). What they guarded still holds: a challenge pays at
    // most once because commitPayment marks it answered (WHERE answered_at IS NULL) in the
    // payment's own transaction, and its trade takes one payment (UNIQUE trade_no, kept).
    //
    // trades: the status check spelled out instead of IN (...). SQLite evaluates an IN list
    // of three or more through a temporary B-tree, built afresh on every UPDATE of status,
    // which is every payment. Same rule, same rows.
    //
    // Rowids are carried over, so rowid order stays insertion order.
    sql: `
CREATE TABLE payments_v2 (
  id TEXT NOT NULL,
  trade_no TEXT NOT NULL UNIQUE REFERENCES trades(trade_no),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  device_id TEXT,
  card_ref TEXT,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('band', 'password')),
  counter INTEGER,
  challenge_id TEXT,
  day INTEGER NOT NULL,
  confirmed INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
INSERT INTO payments_v2 (rowid, id, trade_no, account_id, device_id, card_ref, amount, currency, method, counter, challenge_id, day, confirmed, created_at)
  SELECT rowid, id, trade_no, account_id, device_id, card_ref, amount, currency, method, counter, challenge_id, day, confirmed, created_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_v2 RENAME TO payments;
CREATE INDEX payments_account ON payments(account_id);

CREATE TABLE trades_v2 (
  trade_no TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES accounts(id),
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  out_trade_no TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  subject TEXT NOT NULL,
  notify_url TEXT,
  status TEXT NOT NULL CHECK (status = 'WAIT_BUYER_PAY' OR status = 'TRADE_SUCCESS' OR status = 'TRADE_CLOSED'),
  refunded_amount INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  paid_at INTEGER,
  closed_at INTEGER,
  UNIQUE (merchant_id, out_trade_no),
  CHECK (refunded_amount >= 0 AND refunded_amount <= amount)
);
INSERT INTO trades_v2 (rowid, trade_no, merchant_id, terminal_id, out_trade_no, amount, currency, subject, notify_url, status, refunded_amount, created_at, paid_at, closed_at)
  SELECT rowid, trade_no, merchant_id, terminal_id, out_trade_no, amount, currency, subject, notify_url, status, refunded_amount, created_at, paid_at, closed_at FROM trades;
DROP TABLE trades;
ALTER TABLE trades_v2 RENAME TO trades;
`,
  },
  {
    version: 4,
    name: 'rate limits',
    // The table rate-limiter-flexible's RateLimiterSQLite reads and writes (its own
    // CREATE TABLE, made here so the schema stays versioned; the limiter is told
    // tableCreated). One row per limited key: attempts in the window and when it ends.
    sql: `
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire INTEGER
);
`,
  },
];
