/**
 * A hostile relay between the REAL checkout (HTTP, SQLite temp file) and two bands running
 * the real firmware in-process (fixed seeds): every byte of HELLO, CHALLENGE, ANSWER and
 * RESULT flipped (XOR 0x01 and 0xFF), truncations, drops, duplicates, reorders, replays
 * from earlier trades, swaps between the bands, delays past expiry — the ledger audited
 * after every case (campaign.ts). No case may end with an outcome other than the honest
 * one; every mutated byte must be refused; every trade ends charged exactly once.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACKS, Campaign, MESSAGES, totals, type CampaignResult } from '../../harness/adversarial/campaign.ts';
import { inProcessRelayWorld, runCampaign } from '../../harness/adversarial/hostile-relay.ts';
import { mutateMessage } from '../../harness/adversarial/mutations.ts';
import type { RelayWorld } from '../../harness/adversarial/relay-world.ts';

let w: RelayWorld;
let r: CampaignResult;

beforeAll(async () => {
  w = await inProcessRelayWorld();
  r = await runCampaign(w);
}, 60_000);

afterAll(async () => {
  await w?.close();
});

describe('a hostile relay on every message of a payment (in-process firmware, real checkout)', () => {
  it('tries every attack on every message, and every byte position with both masks', () => {
    for (const m of MESSAGES) {
      for (const a of ATTACKS) expect(r.cells[m][a].tried, `${m} × ${a}`).toBeGreaterThan(0);
      // Each carries at least a sealed part (the RESULT, the smallest: a 32-byte response nonce, a 16-byte tag, 59 bytes in all).
      expect(r.sizes[m]).toBeGreaterThan(32 + 16);
      expect(r.cells[m]['flip 0x01'].tried).toBe(r.sizes[m]);
      expect(r.cells[m]['flip 0xFF'].tried).toBe(r.sizes[m]);
    }
    expect(r.cases).toBe(totals(r).tried);
  });

  it('accepts no case whose outcome differs from the honest one, and the ledger stays honest after each', () => {
    expect(r.problems).toEqual([]);
    expect(totals(r).accepted).toBe(0);
  });

  it('refuses every flipped or truncated message, for the reason its layer owns', () => {
    for (const m of MESSAGES)
      for (const a of ['flip 0x01', 'flip 0xFF', 'truncate'] as const) {
        expect(r.cells[m][a].refused, `${m} × ${a}`).toBe(r.cells[m][a].tried);
      }
    const expected = [
      'MALFORMED',
      'DECRYPT_FAILED',
      'INVALID_KEY',
      'UNSUPPORTED_VERSION',
      'UNKNOWN_COMMAND',
      'OVERSIZE',
    ];
    for (const m of MESSAGES)
      for (const why of Object.keys(r.reasons[m])) expect(expected, `${m}: refused as ${why}`).toContain(why);
  });

  it('takes what is harmless: a duplicate or replayed HELLO, a late RESULT (the honest outcome, once)', () => {
    expect(r.cells.HELLO.duplicate.absorbed).toBe(2);
    expect(r.cells.RESULT['delay past expiry'].absorbed).toBe(1);
    expect(
      r.cells.ANSWER.duplicate.absorbed + r.cells.ANSWER.replay.absorbed + r.cells.ANSWER['swap bands'].absorbed,
    ).toBe(0);
  });

  it('ends with every trade the relay opened charged exactly once, for its amount, to its band', async () => {
    expect(await w.audit.unpaid()).toEqual([]);
    expect(r.ledger.payments).toBe(w.audit.registered);
    expect(await w.audit.problems()).toEqual([]);
  });

  it('control: the unmodified message relayed through the same harness is taken and pays once', async () => {
    const c = new Campaign(w, { label: 'control' });
    for (const m of MESSAGES)
      await mutateMessage(c, m, 'flip 0x01', (bytes) => [{ what: 'unmodified', bytes: bytes.slice() }]);
    for (const m of MESSAGES) expect(c.cells[m]['flip 0x01'], m).toMatchObject({ tried: 1, absorbed: 1, accepted: 0 });
    expect(c.problems).toEqual([]);
  });

  it("control: the audit sees a charge written behind the checkout's back (wrong amount, wrong band)", async () => {
    const t = await w.newTrade(w.a);
    const db = new Database(w.h.dbFile);
    try {
      const { account_id: account } = db
        .prepare('SELECT account_id FROM bands WHERE device_id = ?')
        .get(w.b.deviceId) as { account_id: string };
      db.prepare(`INSERT INTO payments (id, trade_no, account_id, device_id, amount, currency, method, day, confirmed, created_at)
        VALUES ('pay_forged', ?, ?, ?, ?, 'CNY', 'band', 0, 0, 0)`).run(t.tradeNo, account, w.b.deviceId, t.amount + 1);
      const problems = (await w.audit.problems()).join('\n');
      expect(problems).toContain(`trade ${t.tradeNo} charged ${t.amount + 1}, not ${t.amount}`);
      expect(problems).toContain(`trade ${t.tradeNo} charged to band ${w.b.deviceId}`);
      expect(problems).toContain(`trade ${t.tradeNo} has a payment but status WAIT_BUYER_PAY`);
    } finally {
      db.prepare("DELETE FROM payments WHERE id = 'pay_forged'").run();
      db.close();
    }
    await w.settle(t);
    expect(await w.audit.problems()).toEqual([]);
  });
});
