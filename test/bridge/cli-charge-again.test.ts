/**
 * Charging an order number again (issue 14, item 1), as a person at the till does it: the
 * `wristpay` process, a real checkout over HTTP. A paid order answers with its original
 * receipt, exit 0, and says it was already paid — nothing is charged twice; an order closed
 * unpaid stays declined TRADE_CLOSED, exit 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bridge/config/bridge-config.ts';
import { terminalClient } from '../../bridge/flows/pair.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { wristpay } from './helpers/process.ts';
import { PAY_PASSWORD, ownerAccount, pairingCode } from './helpers/world.ts';

let h: Harness;
let dir: string;
let payer: string;
const env = (): NodeJS.ProcessEnv => ({ XDG_CONFIG_HOME: dir, WRISTPAY_CHECKOUT: '', WRISTPAY_RADIO: '' });
// No radio: the payment password pays, so no band is needed to make a paid order.
const charge = (args: string[], stdin = `${PAY_PASSWORD}\n`) =>
  wristpay(['bridge', 'charge', ...args, '--radio', 'none', '--payer', payer, '--password-stdin'], {
    env: env(),
    stdin,
  });

/** The till the process paired, from its config: for looking behind its back. */
const till = () => terminalClient(loadConfig(join(dir, 'wristpay', 'bridge.json')).config.terminal!);

beforeAll(async () => {
  h = await startHarness(cheapTestConfig);
  dir = mkdtempSync(join(tmpdir(), 'wristpay-charge-again-'));
  payer = (await ownerAccount(h)).username;
  const paired = await wristpay(
    ['bridge', 'pair', '--checkout', h.server.url, '--code', await pairingCode(h, 'Tea House')],
    { env: env() },
  );
  if (paired.code !== 0) throw new Error(paired.stderr);
});
afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('charge the same order again (as a process)', () => {
  it('a paid order: the original receipt, alreadyPaid, exit 0, charged once', async () => {
    const first = await charge(['4.50', '--order', 'again-1', '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const receipt = (first.json() as { receipt: Record<string, unknown> }).receipt;
    expect(first.json()).not.toHaveProperty('alreadyPaid');

    const again = await charge(['4.50', '--order', 'again-1', '--json'], '');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.json()).toMatchObject({
      ok: true,
      outcome: 'paid',
      alreadyPaid: true,
      receipt: { ...receipt, merchantName: 'Tea House' },
    });

    const human = await charge(['4.50', '--order', 'again-1'], '');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Already paid: order again-1 was paid before; nothing was charged now.');
    expect(human.stdout).toContain('Paid 4.50 CNY to Tea House');
    expect(human.stderr).not.toContain('payment password');

    // One payment, of the first charge.
    const q = await till().queryTrade('again-1');
    expect(q.payment).toMatchObject({ amount: 450, paidAt: receipt.paidAt });
  });

  it('an order closed unpaid: declined TRADE_CLOSED, exit 1', async () => {
    const open = await wristpay(
      ['bridge', 'charge', '2', '--order', 'again-2', '--radio', 'none', '--no-password-fallback'],
      { env: env() },
    );
    expect(open.code).toBe(1);
    await till().closeTrade('again-2');

    const again = await charge(['2', '--order', 'again-2', '--json'], '');
    expect(again.code, again.stdout).toBe(1);
    expect(again.json()).toMatchObject({
      ok: false,
      outcome: 'declined',
      error: {
        name: 'TRADE_CLOSED',
        message: expect.stringContaining('closed unpaid'),
        hint: 'charge under a new --order',
      },
    });
  });
});
