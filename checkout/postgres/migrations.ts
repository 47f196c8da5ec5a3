/**
 * Numbered schema migrations for the PostgreSQL store. Append only, as SQLite's
 * (sqlite/migrations.ts): a shipped migration is never edited. Version 1 is the SQLite
 * schema as of its version 7, written once for PostgreSQL: the same tables, columns and
 * constraints, so a SQLite ledger copies across row by row (cli `checkout copy`). Each later
 * SQLite migration has its twin here (version 2 is SQLite's 8), so the columns stay the same.
 *
 * Types: BIGINT for times (ms) and money (minor units), BYTEA for keys and hashes, INTEGER
 * 0/1 for flags (the row mappers in sql/rows.ts read both stores alike). Only what
 * CockroachDB and YugabyteDB also run: plain tables, UNIQUE and partial indexes, CHECK,
 * foreign keys; no triggers, no PL/pgSQL, no sequences (docs/CHECKOUT.md "PostgreSQL").
 */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const pgMigrations: PgMigration[] = [
  {
    version: 1,
    name: 'initial schema (the SQLite schema of its version 7)',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL);

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('owner', 'merchant')),
  display_name TEXT NOT NULL,
  password_hash BYTEA NOT NULL,
  password_salt BYTEA NOT NULL,
  pay_hash BYTEA,
  pay_salt BYTEA,
  limit_per_payment BIGINT NOT NULL,
  limit_per_day BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  name_key TEXT
);
CREATE UNIQUE INDEX accounts_name_key ON accounts(name_key);

CREATE TABLE sessions (
  token_hash BYTEA PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  csrf TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id, created_at);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE enroll_offers (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  nonce BYTEA NOT NULL,
  expires_at BIGINT NOT NULL
);

CREATE TABLE bands (
  device_id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  signing_key BYTEA NOT NULL,
  hpke_key BYTEA NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'wiped')),
  enrolled_at BIGINT NOT NULL,
  revoked_at BIGINT,
  wiped_at BIGINT,
  unlocked_at BIGINT,
  checkout_key INTEGER NOT NULL DEFAULT 1
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
  balance BIGINT NOT NULL,
  fare_cap BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'removing', 'removed', 'failed')),
  last_counter BIGINT NOT NULL DEFAULT -1,
  created_at BIGINT NOT NULL
);
CREATE INDEX cards_band ON cards(device_id);

CREATE TABLE challenges (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES bands(device_id),
  kind TEXT NOT NULL,
  nonce BYTEA NOT NULL UNIQUE,
  expires_at BIGINT NOT NULL,
  trade_no TEXT,
  terminal_id TEXT,
  card_ref TEXT,
  express INTEGER NOT NULL,
  enc BYTEA NOT NULL,
  answer_secret BYTEA NOT NULL,
  result_secret BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  answered_at BIGINT,
  outcome INTEGER
);
CREATE INDEX challenges_band ON challenges(device_id, expires_at);
CREATE INDEX challenges_expiry ON challenges(expires_at);

CREATE TABLE pairing_codes (
  code TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES accounts(id),
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

CREATE TABLE terminals (
  id TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  public_key BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  suspended_at BIGINT,
  unpaired_at BIGINT
);
CREATE INDEX terminals_merchant ON terminals(merchant_id);

CREATE TABLE trades (
  trade_no TEXT PRIMARY KEY,
  merchant_id TEXT NOT NULL REFERENCES accounts(id),
  terminal_id TEXT NOT NULL REFERENCES terminals(id),
  out_trade_no TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  subject TEXT NOT NULL,
  notify_url TEXT,
  status TEXT NOT NULL CHECK (status IN ('WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSED')),
  refunded_amount BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  paid_at BIGINT,
  closed_at BIGINT,
  UNIQUE (merchant_id, out_trade_no),
  CHECK (refunded_amount >= 0 AND refunded_amount <= amount)
);
CREATE INDEX trades_open ON trades(terminal_id, created_at) WHERE status = 'WAIT_BUYER_PAY';
CREATE INDEX trades_paid ON trades(merchant_id, paid_at);

CREATE TABLE payments (
  id TEXT NOT NULL,
  trade_no TEXT NOT NULL UNIQUE REFERENCES trades(trade_no),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  device_id TEXT,
  card_ref TEXT,
  amount BIGINT NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('band', 'password')),
  counter BIGINT,
  challenge_id TEXT,
  day INTEGER NOT NULL,
  confirmed INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX payments_account ON payments(account_id);

CREATE TABLE refunds (
  id TEXT PRIMARY KEY,
  trade_no TEXT NOT NULL REFERENCES trades(trade_no),
  out_request_no TEXT NOT NULL,
  amount BIGINT NOT NULL CHECK (amount > 0),
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (trade_no, out_request_no)
);

CREATE TABLE day_totals (
  account_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  currency TEXT NOT NULL,
  total BIGINT NOT NULL,
  PRIMARY KEY (account_id, day, currency)
);

CREATE TABLE notifications (
  id TEXT PRIMARY KEY,
  trade_no TEXT NOT NULL REFERENCES trades(trade_no),
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL,
  delivered_at BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX notifications_due ON notifications(next_at) WHERE delivered_at IS NULL;
CREATE INDEX notifications_trade ON notifications(trade_no);

CREATE TABLE attempt_counters (
  scope TEXT NOT NULL,
  subject TEXT NOT NULL,
  failures INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  locked_until BIGINT NOT NULL,
  lock_ms BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (scope, subject)
);
CREATE TABLE terminal_pay_attempts (
  id TEXT PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  payer TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX terminal_pay_attempts_terminal ON terminal_pay_attempts(terminal_id, created_at);

-- The table rate-limiter-flexible's RateLimiterPostgres reads and writes (its own layout).
CREATE TABLE rate_limits (
  key VARCHAR(255) PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire BIGINT
);

CREATE TABLE turnoff_codes (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id),
  code_hash BYTEA,
  created_at BIGINT,
  used_at BIGINT,
  failures INTEGER NOT NULL DEFAULT 0,
  window_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE checkout_keys (
  id INTEGER PRIMARY KEY,
  signing BYTEA,
  hpke BYTEA,
  state TEXT NOT NULL CHECK (state IN ('active', 'previous', 'retired')),
  created_at BIGINT NOT NULL,
  retired_at BIGINT,
  CHECK ((state = 'retired') = (signing IS NULL AND hpke IS NULL))
);
CREATE UNIQUE INDEX checkout_keys_one_active ON checkout_keys(state) WHERE state = 'active';
CREATE UNIQUE INDEX checkout_keys_one_previous ON checkout_keys(state) WHERE state = 'previous';
`,
  },
  {
    version: 2,
    name: "each band's last contact (SQLite's version 8)",
    sql: `
ALTER TABLE bands ADD COLUMN last_seen_at BIGINT;
ALTER TABLE bands ADD COLUMN last_seen_terminal TEXT;
`,
  },
  {
    version: 3,
    name: "finding a band: battery, ring request, last ring (SQLite's version 9)",
    sql: `
ALTER TABLE bands ADD COLUMN last_seen_battery INTEGER CHECK (last_seen_battery BETWEEN 0 AND 100);
ALTER TABLE bands ADD COLUMN find_requested_at BIGINT;
ALTER TABLE bands ADD COLUMN rang_at BIGINT;
`,
  },
  {
    version: 4,
    name: "promotions (SQLite's version 10)",
    sql: `
ALTER TABLE accounts ADD COLUMN category TEXT;
ALTER TABLE challenges ADD COLUMN terms TEXT;
CREATE TABLE promotion_uses (
  trade_no TEXT PRIMARY KEY REFERENCES trades(trade_no),
  payment_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  card_ref TEXT NOT NULL,
  issuer_id TEXT NOT NULL,
  promotion_id TEXT,
  points_promotion_id TEXT,
  label TEXT,
  list_amount BIGINT NOT NULL,
  discount BIGINT NOT NULL CHECK (discount >= 0 AND discount <= list_amount),
  points BIGINT NOT NULL CHECK (points >= 0),
  discount_reversed BIGINT NOT NULL DEFAULT 0 CHECK (discount_reversed >= 0 AND discount_reversed <= discount),
  points_reversed BIGINT NOT NULL DEFAULT 0 CHECK (points_reversed >= 0 AND points_reversed <= points),
  created_at BIGINT NOT NULL
);
CREATE INDEX promotion_uses_account ON promotion_uses(account_id, created_at);
CREATE TABLE rewards (
  card_ref TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  issuer_id TEXT NOT NULL,
  points BIGINT NOT NULL CHECK (points >= 0)
);
CREATE INDEX rewards_account ON rewards(account_id);
CREATE TABLE ride_counts (
  card_ref TEXT NOT NULL,
  promotion_id TEXT NOT NULL,
  rides BIGINT NOT NULL CHECK (rides >= 0),
  PRIMARY KEY (card_ref, promotion_id)
);
`,
  },
  {
    version: 5,
    name: "WebAuthn credentials of the bands, and their ceremonies (SQLite's version 11)",
    // The band as an identity key (core/identity-*.ts, docs/CHECKOUT.md "Sign in with your band").
    // identity_credentials: each band's WebAuthn credential (COSE public key, the highest
    // signature counter seen; `required`: the account asks for its band after the password).
    // identity_ceremonies: registrations and sign-ins in progress, single use (state moves on
    // from 'open' once, in the transaction that checks it); a login's `code` is what the owner
    // types at a bridge, `browser_hash` the waiting browser's secret, hashed.
    sql: `
CREATE TABLE identity_credentials (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  device_id TEXT NOT NULL,
  public_key BYTEA NOT NULL,
  counter BIGINT NOT NULL,
  required INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX identity_credentials_account ON identity_credentials(account_id);

CREATE TABLE identity_ceremonies (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('register', 'login')),
  code TEXT UNIQUE,
  account_id TEXT REFERENCES accounts(id),
  challenge TEXT NOT NULL,
  origin TEXT NOT NULL,
  rp_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'done', 'taken', 'refused')),
  result_account_id TEXT REFERENCES accounts(id),
  device_id TEXT,
  browser_hash BYTEA,
  created_at BIGINT NOT NULL
);
CREATE INDEX identity_ceremonies_expiry ON identity_ceremonies(expires_at);
`,
  },
];
