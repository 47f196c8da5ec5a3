/**
 * Issue 11 item 5, as an attacker with a stolen till would try it over real HTTP: after
 * its merchant unpairs it, every signed route refuses it (TERMINAL_UNPAIRED, 401), also a
 * payment it had in flight and requests fired at the very moment of the unpair (none pays
 * after the unpair commits: proven from the commit order, logged by SQLite triggers). Another
 * merchant cannot unpair or rename yours, or learn that it exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Status } from '../../shared/status/codes.ts';
import { type CheckoutHttpError, TerminalSigner, createTerminalKey } from '../../checkout/api/client.ts';
import type { SqliteStore } from '../../checkout/sqlite/store.ts';
import { refusal } from './helpers/expect-refusal.ts';
import {
  PAY_PASSWORD,
  type Terminal,
  merchantWithTerminal,
  newTrade,
  ownerWithBand,
  payWithBand,
} from './helpers/fixtures.ts';
import { type Harness, cheapTestConfig, startHarness } from '../../harness/checkout-harness.ts';

/** A second till of the same merchant. */
async function secondTerminal(h: Harness, t: Terminal): Promise<Terminal> {
  const { code } = await t.merchant.createPairingCode();
  const key = createTerminalKey(h.provider);
  const paired = await h.client.pairTerminal(code, key.publicKey, 'till 2');
  const signer = new TerminalSigner(h.provider, paired.terminalId, key.scalar, h.clock.now);
  return { ...t, terminalId: paired.terminalId, signer, client: h.client.withTerminal(signer) };
}

describe('unpairing a terminal', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
  });
  afterAll(() => h.close());

  it('refuses every signed route of the unpaired terminal with TERMINAL_UNPAIRED (401); the list keeps it as unpaired', async () => {
    const shop = await merchantWithTerminal(h);
    const o = await ownerWithBand(h);
    const paid = await newTrade(shop, 5_00);
    await payWithBand(shop, o.band, paid.outTradeNo);
    const open = await newTrade(shop, 6_00);
    const pending = await shop.client.payWithBand(open.outTradeNo, o.band.hello());

    const unpaired = await shop.merchant.unpairTerminal(shop.terminalId);
    expect(unpaired).toMatchObject({ terminalId: shop.terminalId, name: 'till 1', state: 'unpaired' });
    expect(unpaired.unpairedAt).toBeGreaterThan(0);

    const attempts: Array<[string, () => Promise<unknown>]> = [
      [
        'create a trade',
        () => shop.client.createTrade({ outTradeNo: 'after-unpair', amount: 1_00, currency: 'CNY', subject: 'x' }),
      ],
      ['query a trade', () => shop.client.queryTrade(paid.outTradeNo)],
      ['pay with the band', () => shop.client.payWithBand(open.outTradeNo, o.band.hello())],
      ['pay with the password', () => shop.client.payWithPassword(open.outTradeNo, o.username, PAY_PASSWORD)],
      ['refund', () => shop.client.refund(paid.outTradeNo, { outRequestNo: 'r1', amount: 1_00 })],
      ['close', () => shop.client.closeTrade(open.outTradeNo)],
      ['hello', () => shop.client.hello(o.band.hello())],
      ['answer', () => shop.client.answer(pending.challengeId, o.band.pay(o.band.open(pending.message)))],
    ];
    for (const [what, p] of attempts) {
      const err = await refusal(p(), 'TERMINAL_UNPAIRED', 401);
      expect(err.message, what).toMatch(/unpaired by its merchant.*pair again/);
    }
    // A forged request for the unpaired id learns nothing more than for any id: UNAUTHORIZED.
    const forger = new TerminalSigner(h.provider, shop.terminalId, createTerminalKey(h.provider).scalar, h.clock.now);
    await refusal(h.client.withTerminal(forger).queryTrade(paid.outTradeNo), 'UNAUTHORIZED', 401);

    // Permanent and said once: unpairing again keeps the first time. The row stays for the ledger.
    expect((await shop.merchant.unpairTerminal(shop.terminalId)).unpairedAt).toBe(unpaired.unpairedAt);
    const list = await shop.merchant.terminals();
    expect(list).toEqual([
      {
        terminalId: shop.terminalId,
        merchantId: shop.merchantId,
        merchantName: shop.merchantName,
        name: 'till 1',
        createdAt: expect.any(Number),
        state: 'unpaired',
        unpairedAt: unpaired.unpairedAt,
        suspendedAt: null,
      },
    ]);
    // The merchant's other tills still see the history; a fresh pairing is a new terminal.
    const till2 = await secondTerminal(h, shop);
    expect(till2.terminalId).not.toBe(shop.terminalId);
    const details = await till2.client.queryTrade(paid.outTradeNo);
    expect(details.trade).toMatchObject({ status: 'TRADE_SUCCESS', terminalId: shop.terminalId });
    expect((await till2.client.queryTrade(open.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
  });

  it('another merchant cannot unpair or rename your terminal, nor tell it from an unknown one', async () => {
    const shop = await merchantWithTerminal(h);
    const rival = await merchantWithTerminal(h, 'Rival Mart');
    const theirs = await refusal(rival.merchant.unpairTerminal(shop.terminalId), 'NOT_FOUND', 404);
    const unknown = await refusal(rival.merchant.unpairTerminal('tZZZZZZZ'), 'NOT_FOUND', 404);
    expect(theirs.message.replace(shop.terminalId, 'ID')).toBe(unknown.message.replace('tZZZZZZZ', 'ID'));
    await refusal(rival.merchant.renameTerminal(shop.terminalId, 'mine now'), 'NOT_FOUND', 404);
    // Owners and anonymous callers do not get that far.
    const o = await ownerWithBand(h);
    await refusal(o.client.unpairTerminal(shop.terminalId), 'FORBIDDEN', 403);
    await refusal(h.client.unpairTerminal(shop.terminalId), 'UNAUTHORIZED', 401);
    // A terminal's signature is not a merchant session.
    await refusal(
      shop.client.request('DELETE', `/v1/merchant/terminals/${shop.terminalId}`, undefined, true),
      'UNAUTHORIZED',
      401,
    );
    expect((await shop.merchant.terminals())[0]).toMatchObject({ state: 'active', name: 'till 1' });
    await shop.client.createTrade({ outTradeNo: 'still-works', amount: 1_00, currency: 'CNY', subject: 'x' });
  });

  it('renames with a validated name', async () => {
    const shop = await merchantWithTerminal(h);
    expect(await shop.merchant.renameTerminal(shop.terminalId, '  Front till  ')).toMatchObject({
      name: 'Front till',
      state: 'active',
    });
    for (const bad of ['', '   ', 'x'.repeat(65), 'tab\there', 'new\nline'])
      await refusal(shop.merchant.renameTerminal(shop.terminalId, bad), 'MALFORMED', 400);
    await refusal(
      shop.merchant.request('PATCH', `/v1/merchant/terminals/${shop.terminalId}`, { name: 7 }),
      'MALFORMED',
      400,
    );
    expect((await shop.merchant.terminals())[0].name).toBe('Front till');
  });

  it('a payment in flight when its terminal is unpaired is refused, also when another till posts the answer', async () => {
    const shop = await merchantWithTerminal(h);
    const till2 = await secondTerminal(h, shop);
    const o = await ownerWithBand(h);
    const trade = await newTrade(shop, 12_00);
    const c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
    const answer = o.band.pay(o.band.open(c.message));
    await shop.merchant.unpairTerminal(shop.terminalId);
    await refusal(shop.client.answer(c.challengeId, answer), 'TERMINAL_UNPAIRED', 401);
    // The band signed for the unpaired till: the merchant's other till cannot complete it either.
    await refusal(till2.client.answer(c.challengeId, answer), 'TERMINAL_UNPAIRED', 401);
    expect((await till2.client.queryTrade(trade.outTradeNo)).trade.status).toBe('WAIT_BUYER_PAY');
    expect((await o.client.ledger()).payments).toHaveLength(0);
  });

  it('a request authenticated just before the unpair commits no money after it (the commit re-checks)', async () => {
    const shop = await merchantWithTerminal(h);
    const o = await ownerWithBand(h);
    const t1 = await newTrade(shop, 3_00);
    const t2 = await newTrade(shop, 4_00);
    const paid = await newTrade(shop, 5_00);
    await payWithBand(shop, o.band, paid.outTradeNo);
    const c = await shop.client.payWithBand(t1.outTradeNo, o.band.hello());
    const answer = o.band.pay(o.band.open(c.message));
    // The terminal as authenticated by a request that is still running when the unpair lands.
    const stale = await h.checkout.store.merchants.terminal(shop.terminalId);
    if (!stale) throw new Error('terminal missing');
    await shop.merchant.unpairTerminal(shop.terminalId);
    const expectUnpaired = async (p: Promise<unknown>) => {
      const e = await p.then(
        () => null,
        (x: unknown) => x,
      );
      expect((e as { status?: number } | null)?.status).toBe(Status.TERMINAL_UNPAIRED);
    };
    await expectUnpaired(h.checkout.answer(c.challengeId, answer, stale));
    await expectUnpaired(h.checkout.payWithPassword(stale, t2.outTradeNo, o.username, PAY_PASSWORD));
    await expectUnpaired(h.checkout.refund(stale, paid.outTradeNo, { outRequestNo: 'late', amount: 1_00 }));
    expect((await o.client.ledger()).payments).toHaveLength(1);
    expect((await o.client.ledger()).refunds).toHaveLength(0);
  });

  it('answers fired at the moment of the unpair: none commits after it, and every one after its reply is refused', async () => {
    const shop = await merchantWithTerminal(h);
    const payers = await Promise.all(Array.from({ length: 16 }, () => ownerWithBand(h)));
    const ready = await Promise.all(
      payers.map(async (o) => {
        const trade = await newTrade(shop, 2_00);
        const c = await shop.client.payWithBand(trade.outTradeNo, o.band.hello());
        return { trade, c, answer: o.band.pay(o.band.open(c.message)) };
      }),
    );
    // The commit order, as SQLite serialises it: triggers write inside each committing transaction.
    const db = (h.checkout.store as SqliteStore).db;
    db.exec(`CREATE TABLE commit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL, ref TEXT);
      CREATE TRIGGER log_pay AFTER INSERT ON payments BEGIN INSERT INTO commit_log (what, ref) VALUES ('pay', NEW.trade_no); END;
      CREATE TRIGGER log_unpair AFTER UPDATE OF unpaired_at ON terminals WHEN OLD.unpaired_at IS NULL AND NEW.unpaired_at IS NOT NULL
        BEGIN INSERT INTO commit_log (what, ref) VALUES ('unpair', NEW.id); END;`);
    try {
      const send = ({ c, answer }: (typeof ready)[number]) =>
        shop.client.answer(c.challengeId, answer).then(
          () => 'paid',
          (e: unknown) => (e as CheckoutHttpError).statusName,
        );
      // Half the answers go out before the unpair, half with it; the unpair is sent as soon as
      // the first answer is through, while the others are still in flight.
      const first = ready.slice(0, 8).map(send);
      await Promise.race(first);
      const unpair = shop.merchant.unpairTerminal(shop.terminalId);
      const second = ready.slice(8).map(send);
      const outcomes = await Promise.all([...first, ...second]);
      await unpair;
      // Sent after the unpair was answered: all refused.
      const late = await Promise.all(
        Array.from({ length: 20 }, () =>
          shop.client
            .createTrade({
              outTradeNo: `late${Math.random()}`.replace('.', ''),
              amount: 1_00,
              currency: 'CNY',
              subject: 'x',
            })
            .then(
              () => 'created',
              (e: unknown) => (e as CheckoutHttpError).statusName,
            ),
        ),
      );
      expect(new Set(late)).toEqual(new Set(['TERMINAL_UNPAIRED']));

      for (const o of outcomes) expect(['paid', 'TERMINAL_UNPAIRED']).toContain(o);
      expect(outcomes).toContain('paid');
      const log = db.prepare('SELECT what, ref FROM commit_log ORDER BY seq').all() as Array<{
        what: string;
        ref: string;
      }>;
      const at = log.findIndex((r) => r.what === 'unpair');
      expect(at).toBeGreaterThanOrEqual(0);
      expect(log.slice(at + 1).filter((r) => r.what === 'pay')).toEqual([]);
      // Every "paid" is a committed payment and every refusal left its trade unpaid.
      expect(log.filter((r) => r.what === 'pay')).toHaveLength(outcomes.filter((o) => o === 'paid').length);
    } finally {
      db.exec('DROP TRIGGER log_pay; DROP TRIGGER log_unpair; DROP TABLE commit_log;');
    }
  });
});
