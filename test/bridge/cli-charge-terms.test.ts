/**
 * `wristpay bridge charge` refuses what the checkout would refuse, before any round trip
 * (issue 14, item 9), run as a real process: an amount above MAX_TRADE_AMOUNT and a code
 * that is no ISO 4217 currency exit 2 with a clear message and a hint, in --json mode the
 * one error shape; and neither the checkout nor the radio is contacted. Both point at one
 * listening socket that counts every connection made to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { saveConfig } from '../../bridge/config/bridge-config.ts';
import { MAX_TRADE_AMOUNT } from '../../checkout/core/trade-terms.ts';
import { wristpay } from './helpers/process.ts';

let dir: string;
let server: Server;
let url: string;
let connections = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wristpay-charge-terms-'));
  server = createServer((_req, res) => res.writeHead(500).end());
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A paired bridge whose checkout is the counting socket: a round trip would be seen.
  saveConfig(join(dir, 'wristpay', 'bridge.json'), {
    version: 1,
    checkoutUrl: url,
    terminal: {
      checkoutUrl: url,
      terminalId: 'trm_counting',
      merchantId: 'mch_counting',
      merchantName: 'Counting',
      name: 'till',
      key: '11'.repeat(32),
      pairedAt: 0,
    },
  });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  connections = 0;
});

const charge = (...args: string[]) =>
  wristpay(['bridge', 'charge', ...args, '--radio', url.replace('http', 'ws')], {
    env: { XDG_CONFIG_HOME: dir, WRISTPAY_CHECKOUT: '' },
  });

describe('charge terms checked locally (as a process)', () => {
  it('99999999999: exit 2, the limit named, nothing contacted', async () => {
    const r = await charge('99999999999');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('99999999999.00 CNY is more than one charge may be (at most 10000000.00 CNY)');
    expect(r.stderr).toContain('hint: charge at most 10000000.00 CNY');
    expect(r.stdout).toBe('');
    expect(connections).toBe(0);
  });

  it("the limit is the checkout's own (MAX_TRADE_AMOUNT): the largest amount passes the local check, one minor unit more does not", async () => {
    const most = (MAX_TRADE_AMOUNT / 100).toFixed(2);
    const over = ((MAX_TRADE_AMOUNT + 1) / 100).toFixed(2);
    const atMost = await charge(most, '--json');
    expect(atMost.stdout).not.toContain('more than one charge');
    expect(atMost.code).not.toBe(2); // past the local checks: it went for the radio (nothing answers there)
    const above = await charge(over, '--json');
    expect(above.code).toBe(2);
    expect(above.json()).toMatchObject({ ok: false, error: { name: 'MALFORMED' } });
  });

  it('--currency XYZ --json: the one error shape with a hint, exit 2, nothing contacted', async () => {
    const r = await charge('12.34', '--currency', 'XYZ', '--json');
    expect(r.code).toBe(2);
    expect(r.json()).toEqual({
      ok: false,
      error: {
        status: 1,
        name: 'MALFORMED',
        message: '--currency XYZ is not an ISO 4217 currency code',
        hint: expect.stringContaining('CNY, HKD'),
      },
    });
    expect(connections).toBe(0);
  });

  it('99999999999 --json: the same shape, the limit in the message', async () => {
    const r = await charge('99999999999', '--json');
    expect(r.code).toBe(2);
    const v = r.json() as { ok: boolean; error: Record<string, unknown> };
    expect(v.ok).toBe(false);
    expect(Object.keys(v.error).sort()).toEqual(['hint', 'message', 'name', 'status']);
    expect(v.error.message).toContain('at most 10000000.00 CNY');
    expect(connections).toBe(0);
  });

  it('a zero-decimal currency counts its own units: 1000000001 JPY is over, 1000000000 JPY is not', async () => {
    expect((await charge('1000000001', '--currency', 'JPY')).stderr).toContain('at most 1000000000 JPY');
    expect((await charge('1000000000', '--currency', 'JPY')).stderr).not.toContain('more than one charge');
  });
});
