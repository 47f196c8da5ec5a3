/**
 * Promotions through the bridge's own flows, the real firmware and the real checkout
 * (issue 15, item 4): the charge's receipt (list, discount, charged, points), the refund that
 * reverses them, and `wristpay bridge rewards` with its --json shape and exit codes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutClient } from '../../checkout/api/client.ts';
import type { Api } from '../../checkout/api/client.ts';
import { addCard, charge, enrollBand, unlockBand } from '../../bridge/flows/index.ts';
import type { Outcome } from '../../bridge/flows/index.ts';
import { receiptText } from '../../cli/merchant-commands.ts';
import { runCli } from './helpers/cli.ts';
import { PASSWORD, type World, startWorld, unique } from './helpers/world.ts';

let w: World;
let dir: string;

function must<T>(o: Outcome<T>): T {
  if (!o.ok) throw new Error(`${o.name}: ${o.message}`);
  return o.value;
}

function rewards(args: string[], stdin = `${PASSWORD}\n`) {
  return runCli(
    ['bridge', 'rewards', '--user', w.username, '--password-stdin', '--checkout', w.h.server.url, ...args],
    { env: { XDG_CONFIG_HOME: dir }, stdin, io: { provider: w.h.provider } },
  );
}

beforeAll(async () => {
  w = await startWorld(23);
  dir = mkdtempSync(join(tmpdir(), 'wristpay-rewards-'));
  // The world's Tea House becomes a dining merchant: the shipped file's ICBC 10% off dining applies.
  await w.h.checkout.ctx.store.merchants.setCategory(w.identity.merchantId, 'dining');
  const session = await w.session();
  const deviceId = must(await enrollBand(w.owner, session, { name: 'band' })).deviceId;
  must(await addCard(w.owner, session, deviceId, { issuerId: 'icbc' }));
  w.band.putOn();
  must(await unlockBand(new CheckoutClient(w.h.server.url), await w.session(), w.username, PASSWORD));
}, 60_000);
afterAll(async () => {
  await w?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('promotions at the till, through the firmware', () => {
  let orderId: string;
  it('the band signs the offer; the receipt shows list, discount, charged and points', async () => {
    orderId = unique('o-');
    const r = await charge(w.terminal, await w.session(), { amount: 12_34, currency: 'CNY', orderId });
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect(r.receipt).toMatchObject({
      amount: 12_34,
      promotion: { listAmount: 12_34, discount: 1_23, charged: 11_11, points: 11, label: 'ICBC 10% off dining' },
    });
    const text = receiptText(r.receipt);
    expect(text).toContain('  list    12.34 CNY');
    expect(text).toContain('  charged 11.11 CNY (1.23 CNY off: ICBC 10% off dining)');
    expect(text).toContain('  points  +11');
  });

  it('wristpay bridge rewards: points per card and the promotion applied, then the refund taken back', async () => {
    const before = await rewards(['--json']);
    expect(before.code, before.stderr).toBe(0);
    const v = before.json() as { ok: boolean; rewards: Api.RewardsView };
    expect(v.rewards.balances).toEqual([
      { cardRef: expect.any(String), issuer: 'ICBC', last4: expect.any(String), points: 11 },
    ]);
    expect(v.rewards.uses).toEqual([
      expect.objectContaining({ currency: 'CNY', listAmount: 12_34, discount: 1_23, charged: 11_11, points: 11 }),
    ]);
    await w.terminal.refund(orderId, { outRequestNo: unique('r-'), amount: 12_34 });
    const after = await rewards([]);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/^Rewards\n {2}ICBC ••••\d{4} {2}0 points\n/);
    expect(after.stdout).toContain(
      'ICBC 10% off dining: list 12.34 CNY, 1.23 CNY off, charged 11.11 CNY, +11 points  (refunded: 1.23 CNY off, 11 points back)',
    );
  });

  it('a wrong password: declined, exit 1', async () => {
    const r = await rewards(['--json'], 'not the password\n');
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ ok: false });
  });
});
