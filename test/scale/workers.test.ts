/**
 * `wristpay checkout start --workers 2` on one SQLite file (issue 18, "Both cores"), the
 * compiled bin as a process (run `npm run build:lib` first):
 *
 * - band payments from many tills at once through both workers: both serve, no request
 *   fails (a second writer process waits for SQLite's lock: no SQLITE_BUSY as a 500), the
 *   ledger holds exactly what was acknowledged, and /metrics counts every worker's payments;
 * - a worker SIGKILLed mid-load is replaced and nothing acknowledged is lost;
 * - SIGTERM to the primary mid-load: every acknowledged payment is in the ledger once, the
 *   workers drain and the primary exits 0;
 * - bad --workers values are a usage error (exit 2) in the one --json error shape.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildCheckout } from '../hardening/helpers/child-checkout.ts';
import { type Attempt, payLoop, setUpWorld, terminalClient } from '../hardening/helpers/kill-load.ts';
import { ledgerProblems, openReader } from '../hardening/helpers/ledger-check.ts';
import { openStore } from '../../checkout/open-store.ts';
import { emptyFigures, runLoad } from './helpers/pg-load.ts';
import { startSetupCheckout } from './helpers/setup-checkout.ts';
import { expectSqliteLedgerMatchesLoad, pidsThatServed, startWorkers, workerPids } from './helpers/workers.ts';

const BIN = join(import.meta.dirname, '../../bin/wristpay.js');
const LANES = 16;
const PAYMENTS = 8;
const amountOf = (lane: number, n: number): number => 100 + ((lane * 31 + n * 17) % 900);

const dir = mkdtempSync(join(tmpdir(), 'wristpay-workers-'));
const children: ChildCheckout[] = [];
afterAll(async () => {
  for (const c of children) await c.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** A shop with LANES owners, bands and cards in a fresh file, made by a cheap in-process checkout. */
async function world(name: string) {
  const db = join(dir, `${name}.db`);
  const setup = await startSetupCheckout(db);
  const w = await setUpWorld(setup.url, LANES, 8, 1);
  await setup.close();
  return { db, w };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('checkout start --workers 2 on SQLite', () => {
  it('serves payments from many tills on both workers; the ledger holds every one', async () => {
    const { db, w } = await world('load');
    const c = await startWorkers(db, 2, { keepStderr: true });
    children.push(c);
    expect(workerPids(c)).toHaveLength(2);
    const figures = emptyFigures();
    const attempts = await runLoad(
      w,
      { urls: [c.url], killed: new Set() },
      { paymentsPerLane: PAYMENTS, amountOf },
      figures,
    );
    // No request failed: runLoad throws at any refusal or 5xx (a SQLITE_BUSY would be a 500),
    // and sends again only what a kept-alive connection closing idle under it lost.
    expect(figures.firstTry + figures.closedKeepAlive).toBeGreaterThanOrEqual(LANES * PAYMENTS);
    expect(figures.connectionErrors + figures.unreachable).toBe(0);
    // Whichever worker takes the scrape, /metrics counts the whole service's payments.
    for (let i = 0; i < 4; i++) {
      const text = await (await fetch(`${c.url}/metrics`)).text();
      expect(text).toContain(`wristpay_payments_total{method="band",outcome="paid",status="OK"} ${LANES * PAYMENTS}\n`);
    }
    expect(await c.stop()).toBe(0);
    expect([...pidsThatServed(c)].sort()).toEqual(workerPids(c).sort());
    await expectSqliteLedgerMatchesLoad(db, attempts, LANES * PAYMENTS);
  });

  it('replaces a worker SIGKILLed mid-load; nothing acknowledged is lost', async () => {
    const { db, w } = await world('kill');
    const c = await startWorkers(db, 2, { keepStderr: true });
    children.push(c);
    const [victim] = workerPids(c);
    let paid = 0;
    const onPaid = () => {
      paid += 1;
      if (paid === Math.floor((LANES * PAYMENTS) / 3)) process.kill(victim, 'SIGKILL');
    };
    // Requests on the victim's connections fail; the load sends them again (the primary's
    // socket stays open, the other worker and then the replacement take them).
    const figures = emptyFigures();
    const attempts = await runLoad(
      w,
      { urls: [c.url], killed: new Set([c.url]) },
      { paymentsPerLane: PAYMENTS, amountOf, onPaid },
      figures,
    );
    for (let i = 0; i < 100 && !c.stderr().includes('worker replaced'); i++) await sleep(100);
    expect(c.stderr()).toContain('worker died: starting another');
    expect(c.stderr()).toContain('worker replaced');
    expect(await c.stop()).toBe(0);
    await expectSqliteLedgerMatchesLoad(db, attempts, LANES * PAYMENTS);
  });

  it('SIGTERM mid-load: every acknowledged payment is in the ledger, and the service exits 0', async () => {
    const { db, w } = await world('term');
    const c = await startWorkers(db, 2);
    children.push(c);
    const attempts: Attempt[] = [];
    let signalled = false;
    let paid = 0;
    const onPaid = () => {
      paid += 1;
      if (paid !== LANES * 3) return;
      signalled = true;
      process.kill(c.pid, 'SIGTERM');
    };
    const exited = Promise.all(
      w.lanes.map((_, lane) =>
        payLoop(
          terminalClient(c.url, w, lane),
          w,
          lane,
          'T',
          attempts,
          () => 500,
          () => signalled,
          onPaid,
        ),
      ),
    );
    await exited;
    expect(await c.exited()).toBe(0);
    expect(c.stdout().some((l) => l.includes('"event":"stopped"'))).toBe(true);

    const reader = openReader(db);
    expect(ledgerProblems(reader)).toEqual([]);
    reader.close();
    const store = await openStore(db);
    const payments = new Map<string, number>();
    for (const p of await store.audit.payments()) payments.set(p.outTradeNo, (payments.get(p.outTradeNo) ?? 0) + 1);
    await store.close();
    const acknowledged = attempts.filter((a) => a.state === 'paid');
    expect(acknowledged.length).toBeGreaterThanOrEqual(LANES * 3);
    for (const a of acknowledged) expect(payments.get(a.outTradeNo), a.outTradeNo).toBe(1);
    // Paid but not acknowledged can only be an answer whose reply was lost with the connection.
    const inFlight = new Set(attempts.filter((a) => a.state === 'answering').map((a) => a.outTradeNo));
    for (const [outTradeNo, n] of payments) {
      expect(n).toBe(1);
      if (!acknowledged.some((a) => a.outTradeNo === outTradeNo)) expect(inFlight.has(outTradeNo)).toBe(true);
    }
  });
});

describe('checkout start --workers: bad values', () => {
  for (const bad of ['0', '-1', 'x', '1000', '1.5']) {
    it(`--workers ${bad}: exit 2, the one --json error shape`, async () => {
      const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) =>
        execFile(
          process.execPath,
          [BIN, 'checkout', 'start', '--db', join(dir, 'unused.db'), '--port', '0', '--json', `--workers=${bad}`],
          (e, stdout) => resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, stdout }),
        ),
      );
      expect(code).toBe(2);
      const out = JSON.parse(stdout.trim()) as { ok: boolean; error: { name: string; message: string } };
      expect(out.ok).toBe(false);
      expect(out.error.name).toBe('MALFORMED');
      expect(out.error.message).toMatch(/^--workers must be a whole number from 1 to \d+/);
    });
  }
});
