/** The default CheckoutStore: one SQLite file (WAL), schema from migrations.ts. */
import type { CheckoutStore, RateLimitRule, RateLimiter, StoreCounts, StoreHealth } from '../store.ts';
import { SqliteAudit } from './audit.ts';
import { SqliteAccounts } from './accounts.ts';
import { SqliteAttempts } from './attempts.ts';
import { SqliteBands } from './bands.ts';
import { SqliteIdentity } from './identity.ts';
import { SqliteKeyRing } from './key-ring.ts';
import { SqliteChallenges } from './challenges.ts';
import { GroupCommit } from './group-commit.ts';
import { SqliteLedger } from './ledger.ts';
import { SqliteMerchants } from './merchants.ts';
import { SqliteReports } from './reports.ts';
import { SqliteSweeps } from './sweeps.ts';
import { migrations } from './migrations.ts';
import { bytes } from '../sql/rows.ts';
import { type Db, openDatabase } from './open.ts';
import { SqliteTurnOff } from './turn-off.ts';
import { SqliteRateLimiters } from './rate-limiter.ts';
import { SqliteRewards } from './rewards.ts';

export class SqliteStore implements CheckoutStore {
  readonly accounts: SqliteAccounts;
  readonly attempts: SqliteAttempts;
  readonly bands: SqliteBands;
  readonly challenges: SqliteChallenges;
  readonly merchants: SqliteMerchants;
  readonly ledger: SqliteLedger;
  readonly reports: SqliteReports;
  readonly turnOff: SqliteTurnOff;
  readonly sweeps: SqliteSweeps;
  readonly audit: SqliteAudit;
  readonly keyRing: SqliteKeyRing;
  readonly rewards: SqliteRewards;
  readonly identity: SqliteIdentity;
  /** One file on one machine: this machine's clock. */
  readonly clock = Date.now;
  private readonly rateLimiters: SqliteRateLimiters;
  /** Payments, trades and challenges created in one event-loop turn share a commit (group-commit.ts). */
  private readonly group: GroupCommit;
  private closed = false;

  constructor(readonly db: Db) {
    this.accounts = new SqliteAccounts(db);
    this.attempts = new SqliteAttempts(db);
    this.bands = new SqliteBands(db);
    this.group = new GroupCommit(db);
    this.challenges = new SqliteChallenges(db, this.group);
    this.merchants = new SqliteMerchants(db);
    this.ledger = new SqliteLedger(db, this.group);
    this.reports = new SqliteReports(db);
    this.turnOff = new SqliteTurnOff(db);
    this.sweeps = new SqliteSweeps(db);
    this.audit = new SqliteAudit(db);
    this.keyRing = new SqliteKeyRing(db);
    this.rewards = new SqliteRewards(db);
    this.identity = new SqliteIdentity(db);
    this.rateLimiters = new SqliteRateLimiters(db);
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: Uint8Array } | undefined;
    return r ? bytes(r.value) : undefined;
  }

  async setMetaOnce(key: string, value: Uint8Array): Promise<Uint8Array> {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value);
    return (await this.getMeta(key)) as Uint8Array;
  }

  rateLimiter(name: string, rule: RateLimitRule): RateLimiter {
    return this.rateLimiters.create(name, rule);
  }

  async health(): Promise<StoreHealth> {
    const r = this.db.prepare('SELECT MAX(version) AS v FROM migrations').get() as { v: number | null };
    return { schemaVersion: r.v ?? 0, expectedSchemaVersion: migrations[migrations.length - 1].version };
  }

  async counts(): Promise<StoreCounts> {
    // trades_open (migration 5) is a partial index on exactly these rows; notifications_due covers the other.
    const open = this.db.prepare("SELECT COUNT(*) AS n FROM trades WHERE status = 'WAIT_BUYER_PAY'").get() as {
      n: number;
    };
    const pending = this.db
      .prepare('SELECT COUNT(*) AS n FROM notifications WHERE delivered_at IS NULL AND next_at < ?')
      .get(Number.MAX_SAFE_INTEGER) as { n: number };
    const c = this.group.stats;
    return {
      openTrades: open.n,
      pendingNotifications: pending.n,
      commits: c.transactions,
      committedPayments: c.works,
      commitSeconds: c.seconds,
      retries: 0,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.group.drain();
    this.db.close();
  }
}

export function openSqliteStore(file: string): SqliteStore {
  return new SqliteStore(openDatabase(file));
}
