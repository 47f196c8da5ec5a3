/**
 * Lost band: revocation stops payments within one request (hello and outstanding answers),
 * the WIPE challenge rides along with every refusal until the band confirms it, and the
 * owner CLI revokes through the same library call.
 */
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../cli/checkout-commands.ts';
import { Status } from '../../shared/status/codes.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PASSWORD,
  type Terminal,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  payWithBand,
} from './helpers/fixtures.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';

describe('revocation', () => {
  let h: Harness;
  let shop: Terminal;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
  });
  afterAll(() => h.close());

  it('refuses the revoked band with REVOKED + a WIPE challenge, refuses its outstanding answer, and marks it wiped', async () => {
    const o = await ownerWithBand(h);
    await payWithBand(shop, o.band, (await newTrade(shop, 2_00)).outTradeNo);
    // A challenge issued before the revocation, answered after it.
    const pending = await newTrade(shop, 3_00);
    const c = await shop.client.payWithBand(pending.outTradeNo, o.band.hello());
    const lateAnswer = o.band.pay(o.band.open(c.message));
    expect((await o.client.revokeBand(o.deviceId)).status).toBe('revoked');
    const late = await refusal(shop.client.answer(c.challengeId, lateAnswer), 'REVOKED', 403);
    expect(late.challenge?.kind).toBe('wipe');
    const err = await refusal(shop.client.payWithBand(pending.outTradeNo, o.band.hello()), 'REVOKED', 403);
    const wipe = err.challenge;
    if (!wipe) throw new Error('no wipe challenge');
    expect(wipe.kind).toBe('wipe');
    await refusal(h.client.unlock(o.band.hello(), o.username, PASSWORD), 'REVOKED');
    await refusal(shop.client.hello(o.band.hello()), 'REVOKED');
    await refusal(o.client.addCard(o.deviceId, { issuerId: 'icbc' }), 'REVOKED');
    const opened = o.band.open(wipe.message);
    expect(opened.body.kind).toBe('wipe');
    const done = await shop.client.answer(wipe.challengeId, o.band.answerOk(opened));
    expect(o.band.readResult(opened, done.result)).toEqual({ status: Status.OK });
    const band = await o.client.band(o.deviceId);
    expect(band.status).toBe('wiped');
    expect(band.cards).toEqual([]);
    await refusal(shop.client.payWithBand(pending.outTradeNo, o.band.hello()), 'REVOKED');
    expect((await o.client.ledger()).payments).toHaveLength(1);
  });

  it('the owner CLI revokes by device id through the library; unknown ids exit 1', async () => {
    const o = await ownerWithBand(h);
    const codes: number[] = [];
    const lines: string[] = [];
    const write = process.stdout.write;
    const program = new Command().exitOverride();
    register(program, (code) => codes.push(code));
    process.stdout.write = ((s: string) => lines.push(s) > 0) as typeof process.stdout.write;
    try {
      await program.parseAsync([
        'node',
        'wristpay',
        'checkout',
        'revoke',
        '--db',
        h.dbFile,
        '--band',
        o.deviceId,
        '--json',
      ]);
      await program.parseAsync([
        'node',
        'wristpay',
        'checkout',
        'revoke',
        '--db',
        h.dbFile,
        '--band',
        'f'.repeat(32),
        '--json',
      ]);
    } finally {
      process.stdout.write = write;
    }
    expect(codes).toEqual([0, 1]);
    expect(JSON.parse(lines[0])).toMatchObject({ ok: true, band: { deviceId: o.deviceId, status: 'revoked' } });
    expect(JSON.parse(lines[1])).toMatchObject({ ok: false, error: { name: 'NOT_FOUND' } }); // the one --json error shape
    // The running server sees the other process's write at once.
    await refusal(shop.client.payWithBand((await newTrade(shop, 1_00)).outTradeNo, o.band.hello()), 'REVOKED');
  });
});
