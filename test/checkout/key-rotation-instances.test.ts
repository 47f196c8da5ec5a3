/**
 * A rotation under several checkout instances on one database (PROTOCOL.md §8,
 * checkout/core/key-reload.ts): instance A is restarted after `keys rotate` and moves a band to
 * the new keys; instance B, started before the rotation and never restarted, then serves that
 * band. B reads the ring again when a hello opens with none of its keys, so the band pays there
 * too, and B signs its challenge with the key the band now holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckoutClient } from '../../checkout/api/client.ts';
import { type Checkout, createCheckout } from '../../checkout/checkout.ts';
import { rotateKeys } from '../../checkout/core/key-ring.ts';
import { type RunningServer, startCheckoutServer } from '../../checkout/http/server.ts';
import { cheapTestConfig, type Harness, startHarness } from '../../harness/checkout-harness.ts';
import { type Terminal, merchantWithTerminal, newTrade, ownerWithBand, payWithBand } from './helpers/fixtures.ts';

describe('key rotation with two instances on one database', () => {
  let h: Harness;
  let shop: Terminal;
  let b: { checkout: Checkout; server: RunningServer };
  beforeAll(async () => {
    h = await startHarness(cheapTestConfig);
    shop = await merchantWithTerminal(h);
    const checkout = await createCheckout({
      db: h.dbFile,
      provider: h.provider,
      clock: h.clock.now,
      config: cheapTestConfig,
    });
    b = { checkout, server: await startCheckoutServer(checkout, { port: 0, log: () => undefined }) };
  });
  afterAll(async () => {
    await b?.server.close();
    await b?.checkout.close();
    await h?.close();
  });

  it('an instance started before the rotation serves a band another instance has moved', async () => {
    const owned = await ownerWithBand(h);
    const tillOnB: Terminal = { ...shop, client: new CheckoutClient(b.server.url).withTerminal(shop.signer) };
    await payWithBand(tillOnB, owned.band, (await newTrade(shop, 1_00)).outTradeNo);

    // The operator rotates (as `wristpay checkout keys rotate` does) and restarts A only.
    await rotateKeys(h.checkout.store, h.provider, h.clock.now());
    await h.restart();
    const paid = await payWithBand(shop, owned.band, (await newTrade(shop, 2_00)).outTradeNo);
    const update = paid.keyUpdate;
    if (!update) throw new Error('A sent no key update');
    expect(
      (await shop.client.answer(update.challengeId, owned.band.answerOk(owned.band.open(update.message)))).kind,
    ).toBe('key-update');

    // B still holds only key 1; the band now seals its hello to key 2 and verifies only key 2.
    const onB = await payWithBand(tillOnB, owned.band, (await newTrade(shop, 3_00)).outTradeNo);
    expect(onB.receipt).toMatchObject({ amount: 3_00 });
    expect(onB.keyUpdate).toBeUndefined();
    expect((await owned.client.ledger()).payments).toHaveLength(3);
  });
});
