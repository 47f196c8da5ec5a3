/**
 * The checkout side of a payment through the simulator, for browser and end-to-end tests:
 * a real checkout (checkout, SQLite in a temp dir) and a relay standing in for the
 * bridge. `prepareBand` enrolls the simulated band, provisions a bank card and unlocks it
 * (the band must be worn); `payAboveLimit` runs a payment that needs the button and
 * calls `press` once the band asks for confirmation (KEEPALIVE CONFIRMATION_REQUIRED).
 */
import { join } from 'node:path';
import { defaultProvider } from '../../../shared/crypto/default-provider.ts';
import { createCheckout, type Checkout } from '../../../checkout/checkout.ts';
import { CheckoutClient, TerminalSigner, createTerminalKey, type Api } from '../../../checkout/api/client.ts';
import { startCheckoutServer, type RunningServer } from '../../../checkout/http/server.ts';
import type { Simulator } from '../../../sim/band/simulator.ts';
import { tempDir } from './sim.ts';
import { SimRelay } from './sim-relay.ts';

const PASSWORD = 'correct horse battery';

export interface PaymentStory {
  checkout: Checkout;
  server: RunningServer;
  relay: SimRelay;
  owner: { username: string; client: CheckoutClient };
  terminal: CheckoutClient;
  deviceId: string;
  card: Api.CardView;
  close(): Promise<void>;
}

/** Checkout + owner + enrolled, carded, unlocked band 1 + a paired terminal. The band must be worn. */
export async function prepareBand(sim: Simulator): Promise<PaymentStory> {
  const provider = defaultProvider();
  const checkout = await createCheckout({
    db: join(tempDir('wristpay-checkout-'), 'checkout.db'),
    provider,
    config: { scryptLog2N: 10 },
    notify: false,
  });
  const server = await startCheckoutServer(checkout, { port: 0, log: () => undefined });
  const anon = new CheckoutClient(server.url);
  const relay = await SimRelay.open(sim);
  try {
    const username = `owner${Date.now()}`;
    await anon.register({ username, password: PASSWORD, paymentPassword: '135790' });
    const owner = await anon.loginAs(username, PASSWORD);
    const offer = await owner.startEnrollment();
    const band = await owner.completeEnrollment(offer.enrollId, await relay.exchange(offer.enroll), 'simulated band');
    const { card, challenge } = await owner.addCard(band.deviceId, { issuerId: 'icbc' });
    await relay.send((await owner.answer(challenge.challengeId, await relay.exchange(challenge.message))).result);
    const grant = await anon.unlock(await relay.hello(), username, PASSWORD);
    await relay.send((await anon.answer(grant.challengeId, await relay.exchange(grant.message))).result);

    const shop = `m${Date.now()}`;
    await anon.register({ username: shop, password: PASSWORD, kind: 'merchant', displayName: 'Sim Coffee' });
    const m = await anon.loginAs(shop, PASSWORD);
    const { code } = await m.createPairingCode();
    const key = createTerminalKey(provider);
    const t = await anon.pairTerminal(code, key.publicKey, 'till 1');
    const terminal = anon.withTerminal(new TerminalSigner(provider, t.terminalId, key.scalar));
    return {
      checkout,
      server,
      relay,
      owner: { username, client: owner },
      terminal,
      deviceId: band.deviceId,
      card,
      close: async () => {
        relay.close();
        await server.close();
        await checkout.close();
      },
    };
  } catch (err) {
    relay.close();
    await server.close();
    await checkout.close();
    throw err;
  }
}

/**
 * A trade above the password-free limit (default 200.00 CNY per payment): hello, PAYMENT
 * challenge, the band waits for its button (press() is called at the first KEEPALIVE),
 * the answer goes to the checkout and its RESULT back to the band.
 */
export async function payAboveLimit(
  story: PaymentStory,
  press: () => Promise<void>,
  amount = 300_00,
): Promise<{ receipt?: Api.Receipt; keepalives: number }> {
  const outTradeNo = `order-${Date.now()}`;
  await story.terminal.createTrade({ outTradeNo, amount, currency: 'CNY', subject: 'headphones' });
  const challenge = await story.terminal.payWithBand(outTradeNo, await story.relay.hello());
  let keepalives = 0;
  let pressed: Promise<void> | undefined;
  const answer = await story.relay.exchange(
    challenge.message,
    () => {
      keepalives++;
      pressed ??= press();
    },
    15_000,
  );
  await pressed;
  const r = await story.terminal.answer(challenge.challengeId, answer);
  await story.relay.send(r.result);
  return { receipt: r.receipt, keepalives };
}
