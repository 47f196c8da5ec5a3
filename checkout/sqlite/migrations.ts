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
import type Database from 'better-sqlite3';
import { displayNameKey } from '../display-name.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Fills new columns that SQL alone cannot compute; runs after `sql`, in the same transaction. */
  backfill?: (db: Database.Database) => void;
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
    version: 3,
    name: 'password attempts reserved before hashing; terminal suspension',
    // attempt_counters replaces accounts.failed_logins/locked_until, which were read before the
    // asynchronous hash and written after it, so concurrent guesses all got through
    // (issue 11). A row per (scope, subject): 'login' and 'pay' per account, 'device' per
    // device-token nonce; absent means no failures. terminal_pay_attempts holds one row per
    // failed (or in-flight) payment password per terminal, to count failures across payers
    // in a sliding window; no foreign key, so removing a terminal never trips on it.
    sql: `
CREATE TABLE attempt_counters (
  scope TEXT NOT NULL,
  subject TEXT NOT NULL,
  failures INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  locked_until INTEGER NOT NULL,
  lock_ms INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scope, subject)
);
CREATE TABLE terminal_pay_attempts (
  id TEXT PRIMARY KEY,
  terminal_id TEXT NOT NULL,
  payer TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX terminal_pay_attempts_terminal ON terminal_pay_attempts(terminal_id, created_at);
ALTER TABLE terminals ADD COLUMN suspended_at INTEGER;
ALTER TABLE accounts DROP COLUMN failed_logins;
ALTER TABLE accounts DROP COLUMN locked_until;
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
  {
    version: 5,
    name: 'merchant display-name keys; indexes for quotas and expiry sweeps',
    // name_key: the folded display name (display-name.ts) of a merchant, NULL for owners. The
    // UNIQUE index is the impersonation guard: two registrations racing for look-alike names
    // cannot both insert (NULLs never collide, in SQLite as in PostgreSQL).
    //
    // The other three indexes serve the quotas and sweeps (docs/CHECKOUT.md "Quotas and
    // expiry"): live sessions per account, open challenges per band, and open trades per
    // terminal. trades_open is partial (SQLite and PostgreSQL both have them) so it holds only
    // the unpaid trades: it stays small however long the ledger grows, and the sweep of
    // expired trades walks it instead of the whole table.
    sql: `
ALTER TABLE accounts ADD COLUMN name_key TEXT;
CREATE UNIQUE INDEX accounts_name_key ON accounts(name_key);
CREATE INDEX sessions_account ON sessions(account_id, created_at);
CREATE INDEX challenges_band ON challenges(device_id, expires_at);
CREATE INDEX trades_open ON trades(terminal_id, created_at) WHERE status = 'WAIT_BUYER_PAY';
`,
    // Existing merchants get their key, oldest first; a later look-alike of an earlier name
    // keeps NULL (it was registered before the rule) and shows up in the migration log.
    backfill(db) {
      const merchants = db
        .prepare(`SELECT id, display_name AS name FROM accounts WHERE kind = 'merchant' ORDER BY created_at, rowid`)
        .all() as Array<{ id: string; name: string }>;
      const set = db.prepare(
        'UPDATE accounts SET name_key = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM accounts WHERE name_key = ?)',
      );
      for (const m of merchants) {
        const key = displayNameKey(m.name);
        if (set.run(key, m.id, key).changes === 0)
          process.stderr.write(
            `checkout: merchant ${m.id} keeps a display name that looks like an earlier one ("${m.name}")\n`,
          );
      }
    },
  },
  {
    version: 6,
    name: 'unpaired terminals; one-time turn-off codes',
    // terminals.unpaired_at: unpairing keeps the row (trades reference it, the ledger's history
    // needs it) and refuses the terminal from then on; a fresh pairing makes a new terminal.
    //
    // turnoff_codes: the owner's one-time code that turns the account's bands off on /lost
    // without the password. Only a SHA-256 of it is kept (core/turn-off.ts: 60 bits, so a fast
    // hash is enough). The guess counter sits on the same row and is taken atomically before
    // any hash is computed; a missing row still counts (failures kept for accounts without a code).
    sql: `
ALTER TABLE terminals ADD COLUMN unpaired_at INTEGER;

CREATE TABLE turnoff_codes (
  account_id TEXT PRIMARY KEY REFERENCES accounts(id),
  code_hash BLOB,
  created_at INTEGER,
  used_at INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  window_until INTEGER NOT NULL DEFAULT 0
);
`,
  },
  {
    version: 7,
    name: "the checkout's key ring; which checkout keys each band holds",
    // checkout_keys: the checkout's signing + HPKE key pairs (PROTOCOL.md §8), numbered from 1
    // (the number is the key update's epoch). One is active; at most one previous one is kept
    // for the bands that have not taken the active keys yet; a retired row keeps its history
    // with its private halves erased. bands.checkout_key: the ring key the band holds.
    sql: `
CREATE TABLE checkout_keys (
  id INTEGER PRIMARY KEY,
  signing BLOB,
  hpke BLOB,
  state TEXT NOT NULL CHECK (state IN ('active', 'previous', 'retired')),
  created_at INTEGER NOT NULL,
  retired_at INTEGER,
  CHECK ((state = 'retired') = (signing IS NULL AND hpke IS NULL))
);
CREATE UNIQUE INDEX checkout_keys_one_active ON checkout_keys(state) WHERE state = 'active';
CREATE UNIQUE INDEX checkout_keys_one_previous ON checkout_keys(state) WHERE state = 'previous';
ALTER TABLE bands ADD COLUMN checkout_key INTEGER NOT NULL DEFAULT 1;
`,
    // The keys every enrolled band has pinned so far become key 1, and leave the meta table so
    // that retiring key 1 leaves no copy of its private halves behind.
    backfill(db) {
      const get = db.prepare('SELECT value FROM meta WHERE key = ?');
      const signing = get.get('signing-key') as { value: Uint8Array } | undefined;
      const hpke = get.get('hpke-key') as { value: Uint8Array } | undefined;
      if (!signing || !hpke) return;
      db.prepare(`INSERT INTO checkout_keys (id, signing, hpke, state, created_at) VALUES (1, ?, ?, 'active', ?)`).run(
        signing.value,
        hpke.value,
        Date.now(),
      );
      // Zeroed where they lay, so retiring key 1 later leaves no copy in the file's free space.
      db.pragma('secure_delete = ON');
      db.prepare(`DELETE FROM meta WHERE key IN ('signing-key', 'hpke-key')`).run();
    },
  },
  {
    version: 8,
    name: "each band's last contact: when, and at which terminal",
    // The owner's "find my band" (core/last-seen.ts): the last time a hello of the band opened
    // here, and the terminal that carried it (NULL when none did: an unlock through the owner's
    // own bridge). No foreign key: a ledger copy writes bands before terminals (copy-ledger.ts),
    // and the terminal row is never deleted (unpairing keeps it).
    sql: `
ALTER TABLE bands ADD COLUMN last_seen_at INTEGER;
ALTER TABLE bands ADD COLUMN last_seen_terminal TEXT;
`,
  },
  {
    version: 9,
    name: 'finding a band: its battery at the last contact, the owner asking it to ring, when it last rang',
    // core/find-band.ts: a ring request waits for the band's next contact (find_requested_at),
    // which answers it (rang_at) and clears it; the battery is what the band's sealed hello said.
    sql: `
ALTER TABLE bands ADD COLUMN last_seen_battery INTEGER CHECK (last_seen_battery BETWEEN 0 AND 100);
ALTER TABLE bands ADD COLUMN find_requested_at INTEGER;
ALTER TABLE bands ADD COLUMN rang_at INTEGER;
`,
  },
  {
    version: 10,
    name: 'promotions: merchant categories, challenge terms, promotion uses, rewards, ride counts',
    // Promotions (core/promotion-pricing.ts, docs/CHECKOUT.md "Promotions"): a merchant's
    // category; the terms a payment challenge promised per card (JSON), applied on its answer
    // whatever the promotions file says by then; one row per trade a promotion changed (what
    // was discounted and earned, and how much of it refunds have reversed); each card's points
    // balance (never negative: a CHECK, whatever a reversal computes); each transit card's rides
    // since its last free one.
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
  list_amount INTEGER NOT NULL,
  discount INTEGER NOT NULL CHECK (discount >= 0 AND discount <= list_amount),
  points INTEGER NOT NULL CHECK (points >= 0),
  discount_reversed INTEGER NOT NULL DEFAULT 0 CHECK (discount_reversed >= 0 AND discount_reversed <= discount),
  points_reversed INTEGER NOT NULL DEFAULT 0 CHECK (points_reversed >= 0 AND points_reversed <= points),
  created_at INTEGER NOT NULL
);
CREATE INDEX promotion_uses_account ON promotion_uses(account_id, created_at);
CREATE TABLE rewards (
  card_ref TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  issuer_id TEXT NOT NULL,
  points INTEGER NOT NULL CHECK (points >= 0)
);
CREATE INDEX rewards_account ON rewards(account_id);
CREATE TABLE ride_counts (
  card_ref TEXT NOT NULL,
  promotion_id TEXT NOT NULL,
  rides INTEGER NOT NULL CHECK (rides >= 0),
  PRIMARY KEY (card_ref, promotion_id)
);
`,
  },
  {
    version: 11,
    name: 'WebAuthn credentials of the bands, and their ceremonies',
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
  public_key BLOB NOT NULL,
  counter INTEGER NOT NULL,
  required INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
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
  expires_at INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'done', 'taken', 'refused')),
  result_account_id TEXT REFERENCES accounts(id),
  device_id TEXT,
  browser_hash BLOB,
  created_at INTEGER NOT NULL
);
CREATE INDEX identity_ceremonies_expiry ON identity_ceremonies(expires_at);
`,
  },
];
