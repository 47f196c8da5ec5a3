/**
 * `wristpay bridge sales` and `wristpay bridge refunds` run as real processes against a real
 * checkout, logged in as the merchant (issue 14, item 6): human lines, --json, --csv with a
 * formula subject neutralised, --from/--to and --limit, exit codes; and `wristpay bridge
 * refund` of an order that was never paid says TRADE_NOT_PAID.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  PAY_PASSWORD,
  type OwnedBand,
  type Terminal,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
} from '../checkout/helpers/fixtures.ts';
import { type Harness, cheapTestConfig, startHarness } from '../../harness/checkout-harness.ts';
import { wristpay } from './helpers/process.ts';

const DAY = 86_400_000;
const FORMULA = '=HYPERLINK("http://evil.example","refund")';

let h: Harness;
let dir: string;
let shop: Terminal;
let owner: OwnedBand;
let merchantUser: string;
const orders: string[] = [];

async function paid(amount: number, subject: string): Promise<string> {
  const t = await newTrade(shop, amount, { subject });
  await shop.client.payWithPassword(t.outTradeNo, owner.username, PAY_PASSWORD);
  return t.outTradeNo;
}

beforeAll(async () => {
  h = await startHarness(cheapTestConfig);
  dir = mkdtempSync(join(tmpdir(), 'wristpay-reports-cli-'));
  shop = await merchantWithTerminal(h, 'Noodle Bar');
  merchantUser = (await shop.merchant.me()).username;
  owner = await ownerWithBand(h);
  h.clock.advance(-2 * DAY);
  orders.push(await paid(12_00, 'noodles'));
  h.clock.advance(2 * DAY);
  orders.push(await paid(30_00, FORMULA));
  orders.push(await paid(4_50, 'tea'));
  await shop.client.refund(orders[1], { outRequestNo: 'rf-1', amount: 5_00, reason: '@cold' });
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = (): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: dir, WRISTPAY_CHECKOUT: '' });
const as = (user: string, ...rest: string[]): string[] => [
  ...rest,
  '--user',
  user,
  '--password-stdin',
  '--checkout',
  h.server.url,
];

describe('wristpay bridge sales / refunds (as a process)', () => {
  it("sales --json: this merchant's paid orders, newest first", async () => {
    const r = await wristpay([...as(merchantUser, 'bridge', 'sales'), '--json'], {
      stdin: `${PASSWORD}\n`,
      env: env(),
    });
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as {
      ok: boolean;
      sales: Array<{ outTradeNo: string; amount: number; subject: string }>;
      more: boolean;
    };
    expect(out.ok).toBe(true);
    expect(out.more).toBe(false);
    expect(out.sales.map((s) => s.outTradeNo)).toEqual([orders[2], orders[1], orders[0]]);
    expect(out.sales[1]).toMatchObject({
      amount: 30_00,
      subject: FORMULA,
      refundedAmount: 5_00,
      terminalName: 'till 1',
    });
  });

  it('sales for people: one line each and the total; --limit and --from/--to narrow it', async () => {
    const r = await wristpay(as(merchantUser, 'bridge', 'sales'), { stdin: `${PASSWORD}\n`, env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(orders[0]);
    expect(r.stdout).toContain('total 46.50 CNY');
    const one = await wristpay([...as(merchantUser, 'bridge', 'sales'), '--limit', '1', '--json'], {
      stdin: `${PASSWORD}\n`,
      env: env(),
    });
    expect(one.json()).toMatchObject({ ok: true, more: true, sales: [{ outTradeNo: orders[2] }] });
    const day = new Date(h.clock.now() - 2 * DAY + 8 * 3_600_000).toISOString().slice(0, 10); // the checkout's zone is UTC+8
    const old = await wristpay([...as(merchantUser, 'bridge', 'sales'), '--from', day, '--to', day, '--json'], {
      stdin: `${PASSWORD}\n`,
      env: env(),
    });
    expect((old.json() as { sales: Array<{ outTradeNo: string }> }).sales.map((s) => s.outTradeNo)).toEqual([
      orders[0],
    ]);
  });

  it('sales --csv: RFC 4180 on stdout, the formula subject kept as text', async () => {
    const r = await wristpay([...as(merchantUser, 'bridge', 'sales'), '--csv'], { stdin: `${PASSWORD}\n`, env: env() });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\r\n');
    expect(lines[0]).toBe(
      '"paid_at","trade_no","order","terminal_id","terminal_name","subject","amount","currency","method","status","refunded"',
    );
    expect(lines).toHaveLength(5); // header, three sales, the empty string after the last CRLF
    expect(r.stdout).toContain(`"'=HYPERLINK(""http://evil.example"",""refund"")","30.00","CNY"`);
  });

  it('refunds: --json, --csv (reason "@cold" neutralised) and the human line', async () => {
    const j = await wristpay([...as(merchantUser, 'bridge', 'refunds'), '--json'], {
      stdin: `${PASSWORD}\n`,
      env: env(),
    });
    expect(j.code, j.stderr).toBe(0);
    expect(j.json()).toMatchObject({
      ok: true,
      refunds: [{ outTradeNo: orders[1], outRequestNo: 'rf-1', amount: 5_00, reason: '@cold' }],
    });
    const c = await wristpay([...as(merchantUser, 'bridge', 'refunds'), '--csv'], {
      stdin: `${PASSWORD}\n`,
      env: env(),
    });
    expect(c.stdout).toContain(`"rf-1","${shop.terminalId}","5.00","CNY","'@cold"`);
    const human = await wristpay(as(merchantUser, 'bridge', 'refunds'), { stdin: `${PASSWORD}\n`, env: env() });
    expect(human.stdout).toMatch(new RegExp(`${orders[1]}\\s+rf-1\\s+5\\.00 CNY`));
  });

  it('usage (2), declined (1) and unreachable (3)', async () => {
    const both = await wristpay([...as(merchantUser, 'bridge', 'sales'), '--csv', '--json'], {
      stdin: `${PASSWORD}\n`,
      env: env(),
    });
    expect(both.code).toBe(2);
    const limit = await wristpay([...as(merchantUser, 'bridge', 'sales'), '--limit', '0', '--json'], {
      stdin: `${PASSWORD}\n`,
      env: env(),
    });
    expect(limit.code).toBe(2);
    const badDay = await wristpay([...as(merchantUser, 'bridge', 'sales'), '--from', '2026-02-31', '--json'], {
      stdin: `${PASSWORD}\n`,
      env: env(),
    });
    expect(badDay.code).toBe(1);
    expect(badDay.json()).toMatchObject({ ok: false, error: { name: 'MALFORMED' } });
    const asOwner = await wristpay([...as(owner.username, 'bridge', 'sales'), '--json'], {
      stdin: `${PASSWORD}\n`,
      env: env(),
    });
    expect(asOwner.code).toBe(1);
    expect(asOwner.json()).toMatchObject({ ok: false, error: { name: 'FORBIDDEN' } });
    const away = await wristpay(
      ['bridge', 'refunds', '--user', merchantUser, '--password-stdin', '--checkout', 'http://127.0.0.1:9', '--json'],
      { stdin: `${PASSWORD}\n`, env: env() },
    );
    expect(away.code).toBe(3);
  });
});

describe('wristpay bridge refund of an unpaid order (as a process)', () => {
  it('says TRADE_NOT_PAID, exit 1, with or without an amount; nothing is written', async () => {
    const { code } = await shop.merchant.createPairingCode();
    const pair = await wristpay(['bridge', 'pair', '--code', code, '--checkout', h.server.url, '--json'], {
      env: env(),
    });
    expect(pair.code, pair.stderr + pair.stdout).toBe(0);
    const unpaid = await newTrade(shop, 9_00, { subject: 'never paid' });
    const before = await h.checkout.store.ledger.counts();
    for (const args of [
      ['bridge', 'refund', unpaid.outTradeNo, '1.00', '--json'],
      ['bridge', 'refund', unpaid.outTradeNo, '--json'],
    ]) {
      const r = await wristpay(args, { env: env() });
      expect(r.code, r.stderr + r.stdout).toBe(1);
      expect(r.json()).toMatchObject({ ok: false, error: { name: 'TRADE_NOT_PAID' } });
    }
    const human = await wristpay(['bridge', 'refund', unpaid.outTradeNo, '1.00'], { env: env() });
    expect(human.stderr).toContain('TRADE_NOT_PAID');
    expect(human.stderr).not.toContain('REFUND_EXCEEDS_PAID');
    expect(await h.checkout.store.ledger.counts()).toEqual(before);
  });
});
