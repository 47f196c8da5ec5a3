/**
 * Moves a shop: copies every row of a SQLite checkout database (keys, accounts, bands,
 * cards, terminals, trades, payments, refunds, …) into an empty PostgreSQL one, in one
 * PostgreSQL transaction, then checks the copy by row counts per table and money totals.
 * Either everything is there and verified, or nothing was written.
 *
 * The two schemas have the same tables and columns (postgres/migrations.ts version 1 is
 * the SQLite schema of its version 7), so rows copy column by column. The SQLite side is
 * read inside one read transaction: a snapshot, even if a checkout still writes to it (its
 * later payments are then not in the copy: stop the checkout first, docs/CHECKOUT.md).
 */
import type { PgDatabase, Queryable } from './postgres/connect.ts';
import Database from 'better-sqlite3';
import { migrations } from './sqlite/migrations.ts';
import type { Db } from './sqlite/open.ts';

/** Parents before children, so every foreign key finds its row. */
export const LEDGER_TABLES = [
  'meta',
  'accounts',
  'sessions',
  'enroll_offers',
  'bands',
  'cards',
  'challenges',
  'pairing_codes',
  'terminals',
  'trades',
  'payments',
  'refunds',
  'day_totals',
  'notifications',
  'attempt_counters',
  'terminal_pay_attempts',
  'rate_limits',
  'turnoff_codes',
  'checkout_keys',
  'promotion_uses',
  'rewards',
  'ride_counts',
  'identity_credentials',
  'identity_ceremonies',
] as const;

/** Sums whose equality says the money came across: amounts paid, refunded, and counted against day limits. */
const TOTALS = {
  paid: 'SELECT COALESCE(SUM(amount), 0) AS n FROM payments',
  refunded: 'SELECT COALESCE(SUM(amount), 0) AS n FROM refunds',
  tradeRefunded: 'SELECT COALESCE(SUM(refunded_amount), 0) AS n FROM trades',
  dayTotals: 'SELECT COALESCE(SUM(total), 0) AS n FROM day_totals',
} as const;

export interface LedgerSummary {
  rows: Record<string, number>;
  totals: Record<keyof typeof TOTALS, number>;
}

export class CopyRefused extends Error {}

/**
 * The shop's SQLite file, read-only: a copy never changes its source (not even a migration),
 * and refuses a file that is not a checkout database at this wristpay's schema version.
 */
export function openCopySource(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'").get();
    if (!table) throw new CopyRefused(`${file} is not a checkout database (no migrations table)`);
    const { v } = db.prepare('SELECT MAX(version) AS v FROM migrations').get() as { v: number | null };
    const latest = migrations[migrations.length - 1].version;
    if (v !== latest)
      throw new CopyRefused(
        `${file} is at schema version ${v ?? 0}, this wristpay copies version ${latest}: run wristpay checkout migrate --db ${file} first`,
      );
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest table. */
const BATCH = 500;

export async function copySqliteToPostgres(from: Db, to: PgDatabase): Promise<LedgerSummary> {
  const source = from.transaction(() => readAll(from)).deferred();
  await to.tx(async (q) => {
    for (const table of LEDGER_TABLES) {
      const n = await q.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
      if (n.rows[0].n > 0)
        throw new CopyRefused(`the PostgreSQL database is not empty (${table} has ${n.rows[0].n} rows)`);
    }
    for (const table of LEDGER_TABLES) await insertAll(q, table, source.tables[table]);
  });
  const copied = await summarisePostgres(to);
  const mismatch = differences(source.summary, copied);
  // Committed by then; a mismatch says the copy cannot be trusted, and the caller says so loudly.
  if (mismatch.length > 0) throw new CopyRefused(`the copy does not match its source: ${mismatch.join('; ')}`);
  return copied;
}

interface Snapshot {
  tables: Record<string, Array<Record<string, unknown>>>;
  summary: LedgerSummary;
}

function readAll(db: Db): Snapshot {
  const tables: Snapshot['tables'] = {};
  const rows: Record<string, number> = {};
  for (const t of LEDGER_TABLES) {
    tables[t] = db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all() as Array<Record<string, unknown>>;
    rows[t] = tables[t].length;
  }
  const totals = {} as LedgerSummary['totals'];
  for (const [k, sql] of Object.entries(TOTALS))
    totals[k as keyof typeof TOTALS] = (db.prepare(sql).get() as { n: number }).n;
  return { tables, summary: { rows, totals } };
}

async function insertAll(q: Queryable, table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const values: unknown[] = [];
    const tuples = batch.map((r) => {
      const marks = columns.map((c) => {
        values.push(r[c]);
        return `$${values.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    await q.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
  }
}

export async function summarisePostgres(db: Queryable): Promise<LedgerSummary> {
  const rows: Record<string, number> = {};
  for (const t of LEDGER_TABLES) rows[t] = (await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`)).rows[0].n;
  const totals = {} as LedgerSummary['totals'];
  for (const [k, sql] of Object.entries(TOTALS))
    totals[k as keyof typeof TOTALS] = (await db.query<{ n: number }>(sql)).rows[0].n;
  return { rows, totals };
}

function differences(a: LedgerSummary, b: LedgerSummary): string[] {
  const out: string[] = [];
  for (const t of LEDGER_TABLES) if (a.rows[t] !== b.rows[t]) out.push(`${t}: ${a.rows[t]} rows, copied ${b.rows[t]}`);
  for (const k of Object.keys(TOTALS) as Array<keyof typeof TOTALS>)
    if (a.totals[k] !== b.totals[k]) out.push(`${k}: ${a.totals[k]}, copied ${b.totals[k]}`);
  return out;
}
