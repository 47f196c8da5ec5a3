/**
 * Rotating the checkout's keys (PROTOCOL.md §8) with `wristpay checkout keys` run as a
 * process against the live database: bands enrolled before the rotation keep paying through
 * the overlap, take the new keys from the key update relayed after an accepted answer (or are
 * found on them by their next hello when that answer was lost), and retiring waits for them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../checkout/sqlite/migrations.ts';
import { openDatabase } from '../../checkout/sqlite/open.ts';
import { defaultProvider } from '../../shared/crypto/default-provider.ts';
import { freshScalar } from '../../checkout/core/keys.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { refusal } from './helpers/expect-refusal.ts';
import { type Terminal, merchantWithTerminal, newTrade, ownerWithBand, payWithBand } from './helpers/fixtures.ts';

const ENTRY = join(import.meta.dirname, 'helpers', 'cli-entry.ts');

/** `wristpay checkout keys …` as a process: exit code and stdout (JSON). */
function keys(db: string, ...args: string[]): Promise<{ code: number | null; out: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'checkout', 'keys', ...args, '--db', db, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  return new Promise((resolve) =>
    child.on('exit', (code) => resolve({ code, out: out.trim() ? JSON.parse(out.trim()) : {} })),
  );
}

interface Listed {
  id: number;
  state: string;
  keyId: string | null;
  bands: number;
}

async function list(db: string): Promise<Listed[]> {
  const r = await keys(db, 'list');
  expect(r.code).toBe(0);
  return r.out.keys as Listed[];
}

describe('checkout key rotation', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it('rotates without re-enrolling: overlap, key update, lost update answer, retire', async () => {
    const a = await ownerWithBand(h);
    const b = await ownerWithBand(h);
    await payWithBand(shop, a.band, (await newTrade(shop, 1_00)).outTradeNo);
    const before = await list(h.dbFile);
    expect(before).toMatchObject([{ id: 1, state: 'active', bands: 2 }]);
    expect(before[0].keyId).toMatch(/^[0-9a-f]{32}$/);
    // A mistyped path is refused (exit 3), not a new database with a new key.
    const missing = `${h.dbFile}.typo`;
    expect((await keys(missing, 'list')).code).toBe(3);
    expect(existsSync(missing)).toBe(false);

    const rotated = await keys(h.dbFile, 'rotate');
    expect(rotated.code).toBe(0);
    expect(rotated.out).toMatchObject({ ok: true, key: { id: 2, state: 'active', bands: 0 } });
    // One rotation at a time: key 1 is still in its overlap.
    expect((await keys(h.dbFile, 'rotate')).code).toBe(1);
    await h.restart();
    expect(await list(h.dbFile)).toMatchObject([
      { id: 2, state: 'active', bands: 0 },
      { id: 1, state: 'previous', bands: 2 },
    ]);

    // Band A, still on key 1, pays as before; the answer carries its key update.
    const staleHello = a.band.hello();
    const paid = await payWithBand(shop, a.band, (await newTrade(shop, 2_00)).outTradeNo);
    expect(paid.receipt).toBeDefined();
    const update = paid.keyUpdate;
    if (!update) throw new Error('no key update for a band on the previous key');
    expect(update.kind).toBe('key-update');
    // Retiring now would strand both bands.
    const refused = await keys(h.dbFile, 'retire');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatchObject({ ok: false, error: { name: 'CONFLICT' } });
    const opened = a.band.open(update.message);
    expect(opened.body).toMatchObject({ kind: 'key-update', epoch: 2 });
    const done = await shop.client.answer(update.challengeId, a.band.answerOk(opened));
    expect(done.kind).toBe('key-update');
    expect(done.keyUpdate).toBeUndefined();
    // Under the new keys: no further update.
    expect((await payWithBand(shop, a.band, (await newTrade(shop, 3_00)).outTradeNo)).keyUpdate).toBeUndefined();

    // Band B takes its update but the answer is lost: its next hello (sealed to key 2) says so.
    const bPaid = await payWithBand(shop, b.band, (await newTrade(shop, 4_00)).outTradeNo);
    b.band.open((bPaid.keyUpdate as NonNullable<typeof bPaid.keyUpdate>).message);
    expect((await list(h.dbFile)).find((k) => k.id === 1)?.bands).toBe(1);
    expect((await payWithBand(shop, b.band, (await newTrade(shop, 5_00)).outTradeNo)).keyUpdate).toBeUndefined();
    expect(await list(h.dbFile)).toMatchObject([
      { id: 2, state: 'active', bands: 2 },
      { id: 1, state: 'previous', bands: 0 },
    ]);

    const oldScalars = new Database(h.dbFile, { readonly: true })
      .prepare('SELECT signing, hpke FROM checkout_keys WHERE id = 1')
      .get() as { signing: Buffer; hpke: Buffer };
    const retired = await keys(h.dbFile, 'retire');
    expect(retired.code).toBe(0);
    expect(retired.out).toMatchObject({ ok: true, retired: { id: 1, state: 'retired', keyId: null }, stranded: 0 });
    await h.restart();
    // Erased from the file, not only from the row (the WAL included).
    for (const file of [h.dbFile, `${h.dbFile}-wal`]) {
      const raw = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
      expect(raw.indexOf(oldScalars.signing), file).toBe(-1);
      expect(raw.indexOf(oldScalars.hpke), file).toBe(-1);
    }
    // Both bands pay after the retirement; a hello sealed to the retired key opens no more.
    await payWithBand(shop, a.band, (await newTrade(shop, 6_00)).outTradeNo);
    await payWithBand(shop, b.band, (await newTrade(shop, 7_00)).outTradeNo);
    await refusal(shop.client.payWithBand((await newTrade(shop, 8_00)).outTradeNo, staleHello), 'DECRYPT_FAILED');
    expect((await a.client.ledger()).payments).toHaveLength(4);
  });

  it('migration 7 makes the keys every band pinned so far key 1, and leaves no copy in meta', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wristpay-keys-'));
    try {
      const file = join(dir, 'v6.db');
      const v6 = new Database(file);
      v6.exec('CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      for (const m of migrations.filter((x) => x.version <= 6)) {
        v6.exec(m.sql);
        m.backfill?.(v6);
        v6.prepare('INSERT INTO migrations VALUES (?, ?, 0)').run(m.version, m.name);
      }
      const provider = defaultProvider();
      const signing = freshScalar(provider);
      const hpke = freshScalar(provider);
      v6.prepare('INSERT INTO meta VALUES (?, ?), (?, ?)').run('signing-key', signing, 'hpke-key', hpke);
      v6.close();
      const db = openDatabase(file);
      const ring = db.prepare('SELECT id, signing, hpke, state FROM checkout_keys').all() as Array<{
        id: number;
        signing: Uint8Array;
        hpke: Uint8Array;
        state: string;
      }>;
      expect(ring).toHaveLength(1);
      expect(ring[0]).toMatchObject({ id: 1, state: 'active' });
      expect(new Uint8Array(ring[0].signing)).toEqual(signing);
      expect(new Uint8Array(ring[0].hpke)).toEqual(hpke);
      expect(db.prepare(`SELECT COUNT(*) AS n FROM meta WHERE key IN ('signing-key', 'hpke-key')`).get()).toEqual({
        n: 0,
      });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
