/**
 * Load for the SIGKILL test: owners with band doubles (one card each) and a merchant's
 * terminal, set up over HTTP against the child checkout; then one payment loop per band
 * (so each card's counters arrive in order) that records how far every attempt got:
 * creating the trade, getting its challenge, posting the band's answer, or paid.
 */
import { defaultProvider } from '../../../shared/crypto/default-provider.ts';
import { CheckoutClient, TerminalSigner, createTerminalKey } from '../../../checkout/api/client.ts';
import type { Api } from '../../../checkout/api/client.ts';
import { BandDouble } from '../../checkout/helpers/band-double.ts';
import { PASSWORD } from '../../checkout/helpers/fixtures.ts';

export type AttemptState = 'creating' | 'challenging' | 'answering' | 'paid';
export interface Attempt {
  outTradeNo: string;
  amount: number;
  lane: number;
  state: AttemptState;
  challengeId?: string;
  answer?: Uint8Array;
  receipt?: Api.Receipt;
}
export interface Lane {
  band: BandDouble;
  username: string;
}
export interface World {
  lanes: Lane[];
  signer: TerminalSigner;
  merchantId: string;
}

const provider = defaultProvider();

export async function setUpWorld(url: string, lanes: number): Promise<World> {
  const client = new CheckoutClient(url);
  const shop = `kill-shop-${Date.now()}`;
  await client.register({ username: shop, password: PASSWORD, kind: 'merchant', displayName: 'Kill Shop' });
  const merchant = await client.loginAs(shop, PASSWORD);
  const { code } = await merchant.createPairingCode();
  const key = createTerminalKey(provider);
  const t = await client.pairTerminal(code, key.publicKey, 'till');
  const out: Lane[] = [];
  for (let i = 0; i < lanes; i++) {
    const username = `kill-owner-${i}-${Date.now()}`;
    await client.register({ username, password: PASSWORD, paymentPassword: '135790' });
    const owner = await client.loginAs(username, PASSWORD);
    const band = BandDouble.create(provider);
    const offer = await owner.startEnrollment();
    const view = await owner.completeEnrollment(offer.enrollId, band.enroll(offer.enroll));
    const { challenge } = await owner.addCard(view.deviceId, { issuerId: 'icbc' });
    await owner.answer(challenge.challengeId, band.answerOk(band.open(challenge.message)));
    const unlock = await client.unlock(band.hello(), username, PASSWORD);
    await client.answer(unlock.challengeId, band.answerOk(band.open(unlock.message)));
    out.push({ band, username });
  }
  return { lanes: out, signer: new TerminalSigner(provider, t.terminalId, key.scalar), merchantId: t.merchantId };
}

export function terminalClient(url: string, w: World): CheckoutClient {
  return new CheckoutClient(url).withTerminal(w.signer);
}

/** Trade → challenge → band's answer → receipt, one attempt after another, until `dead()`. */
export async function payLoop(
  client: CheckoutClient,
  w: World,
  lane: number,
  tag: string,
  attempts: Attempt[],
  amountOf: () => number,
  dead: () => boolean,
  onPaid: () => void,
): Promise<void> {
  const band = w.lanes[lane].band;
  for (let n = 0; !dead(); n++) {
    const a: Attempt = { outTradeNo: `${tag}-${lane}-${n}`, amount: amountOf(), lane, state: 'creating' };
    attempts.push(a);
    try {
      await client.createTrade({ outTradeNo: a.outTradeNo, amount: a.amount, currency: 'CNY', subject: 'kill test' });
      a.state = 'challenging';
      const ch = await client.payWithBand(a.outTradeNo, band.hello());
      // Button pressed: many small payments would otherwise pass the password-free day limit.
      a.answer = band.pay(band.open(ch.message), { confirmed: true });
      a.challengeId = ch.challengeId;
      a.state = 'answering';
      a.receipt = (await client.answer(ch.challengeId, a.answer)).receipt;
      a.state = 'paid';
      onPaid();
    } catch (e) {
      if (dead()) return; // the checkout died under this request
      throw e; // a refusal or failure while the checkout runs is a bug
    }
  }
}

/** Pays an attempt's trade with a fresh challenge (the trade is created again if need be: idempotent). */
export async function payFresh(client: CheckoutClient, w: World, a: Attempt): Promise<Api.Receipt | undefined> {
  await client.createTrade({ outTradeNo: a.outTradeNo, amount: a.amount, currency: 'CNY', subject: 'kill test' });
  const band = w.lanes[a.lane].band;
  const ch = await client.payWithBand(a.outTradeNo, band.hello());
  return (await client.answer(ch.challengeId, band.pay(band.open(ch.message), { confirmed: true }))).receipt;
}
