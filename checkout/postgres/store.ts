/**
 * The CheckoutStore on PostgreSQL, for a merchant network that runs several checkout
 * processes on one ledger (docs/CHECKOUT.md "PostgreSQL"). Chosen by the --db URL
 * (open-store.ts). Everything that must hold across processes is decided in the database:
 * uniqueness by constraints, limits and state changes by serializable statements.
 */
import type { CheckoutStore, RateLimitRule, RateLimiter, StoreCounts, StoreHealth } from '../store.ts';
import { PgAudit } from './audit.ts';
import { PgAccounts } from './accounts.ts';
import { PgAttempts } from './attempts.ts';
import { PgBands } from './bands.ts';
import { PgChallenges } from './challenges.ts';
import { PgDatabase, type PgOptions } from './connect.ts';
import { DbClock } from './db-clock.ts';
import { PgIdentity } from './identity.ts';
import { PgKeyRing } from './key-ring.ts';
import { PgLedger } from './ledger.ts';
import { PgMerchants } from './merchants.ts';
import { PG_SCHEMA_VERSION, migratePostgres, schemaVersion } from './migrate.ts';
import { PgRateLimiters } from './rate-limiter.ts';
import { PgReports } from './reports.ts';
import { PgRewards } from './rewards.ts';
import { PgSweeps } from './sweeps.ts';
import { PgTurnOff } from './turn-off.ts';

export class PgStore implements CheckoutStore {
  readonly accounts: PgAccounts;
  readonly attempts: PgAttempts;
  readonly bands: PgBands;
  readonly challenges: PgChallenges;
  readonly merchants: PgMerchants;
  readonly ledger: PgLedger;
  readonly reports: PgReports;
  readonly turnOff: PgTurnOff;
  readonly sweeps: PgSweeps;
  readonly audit: PgAudit;
  readonly keyRing: PgKeyRing;
  readonly rewards: PgRewards;
  readonly identity: PgIdentity;
  readonly clock: () => number;
  private readonly rateLimiters: PgRateLimiters;
  private readonly dbClock: DbClock;
  private closed = false;

  constructor(readonly db: PgDatabase) {
    this.accounts = new PgAccounts(db);
    this.attempts = new PgAttempts(db);
    this.bands = new PgBands(db);
    this.challenges = new PgChallenges(db);
    this.merchants = new PgMerchants(db);
    this.ledger = new PgLedger(db);
    this.reports = new PgReports(db);
    this.turnOff = new PgTurnOff(db);
    this.sweeps = new PgSweeps(db);
    this.audit = new PgAudit(db);
    this.keyRing = new PgKeyRing(db);
    this.rewards = new PgRewards(db);
    this.identity = new PgIdentity(db);
    this.rateLimiters = new PgRateLimiters(db);
    this.dbClock = new DbClock(db);
    this.clock = this.dbClock.now;
  }

  /** Connects, applies pending migrations (refusing a newer schema) and reads the server's clock. */
  async open(): Promise<this> {
    try {
      await migratePostgres(this.db);
      await this.dbClock.start();
      return this;
    } catch (e) {
      await this.db.close().catch(() => undefined);
      throw e;
    }
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    return (await this.db.query<{ value: Uint8Array }>('SELECT value FROM meta WHERE key = $1', [key])).rows[0]?.value;
  }

  async setMetaOnce(key: string, value: Uint8Array): Promise<Uint8Array> {
    await this.db.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.getMeta(key)) as Uint8Array;
  }

  rateLimiter(name: string, rule: RateLimitRule): RateLimiter {
    return this.rateLimiters.create(name, rule);
  }

  async health(): Promise<StoreHealth> {
    return { schemaVersion: await schemaVersion(this.db), expectedSchemaVersion: PG_SCHEMA_VERSION };
  }

  async counts(): Promise<StoreCounts> {
    const r = await this.db.query<{ open: number; pending: number }>(
      `SELECT (SELECT COUNT(*) FROM trades WHERE status = 'WAIT_BUYER_PAY') AS open,
        (SELECT COUNT(*) FROM notifications WHERE delivered_at IS NULL AND next_at < $1) AS pending`,
      [Number.MAX_SAFE_INTEGER],
    );
    const c = this.ledger.commitStats;
    return {
      openTrades: r.rows[0].open,
      pendingNotifications: r.rows[0].pending,
      commits: c.transactions,
      committedPayments: c.works,
      commitSeconds: c.seconds,
      retries: this.db.retries,
      pool: { total: this.db.pool.totalCount, idle: this.db.pool.idleCount, waiting: this.db.pool.waitingCount },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dbClock.stop();
    await this.db.close();
  }
}

export function openPgStore(url: string, options: PgOptions = {}): Promise<PgStore> {
  return new PgStore(new PgDatabase(url, options)).open();
}
