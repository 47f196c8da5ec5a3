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
  /** Every terminal of the shop (signer is the first); lane i pays at terminals[i % length]. */
  terminals: TerminalSigner[];
  merchantId: string;
}

const provider = defaultProvider();

/**
 * `parallel`: lanes set up at once (a checkout with cheap password hashing takes many).
 * `terminals`: tills of the shop (each holds at most 100 unpaid trades: one per 100 lanes).
 */
export async function setUpWorld(url: string, lanes: number, parallel = 1, terminals = 1): Promise<World> {
  const client = new CheckoutClient(url);
  const shop = `kill-shop-${Date.now()}`;
  await client.register({ username: shop, password: PASSWORD, kind: 'merchant', displayName: 'Kill Shop' });
  const merchant = await client.loginAs(shop, PASSWORD);
  const signers: TerminalSigner[] = [];
  let merchantId = '';
  for (let i = 0; i < terminals; i++) {
    const { code } = await merchant.createPairingCode();
    const key = createTerminalKey(provider);
    const t = await client.pairTerminal(code, key.publicKey, `till ${i + 1}`);
    signers.push(new TerminalSigner(provider, t.terminalId, key.scalar));
    merchantId = t.merchantId;
  }
  const out: Lane[] = [];
  for (let i = 0; i < lanes; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, lanes - i) }, (_, j) => setUpLane(client, i + j));
    out.push(...(await Promise.all(batch)));
  }
  return { lanes: out, signer: signers[0], terminals: signers, merchantId };
}

/** An owner with an enrolled band double holding one card, unlocked for this wear. */
async function setUpLane(client: CheckoutClient, i: number): Promise<Lane> {
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
  return { band, username };
}

/** The client of lane `lane`'s terminal (the first terminal by default). */
export function terminalClient(url: string, w: World, lane = 0): CheckoutClient {
  // A request a killed process took with it is given up after 10 s and sent again.
  return new CheckoutClient(url, { timeoutMs: 10_000 }).withTerminal(w.terminals[lane % w.terminals.length]);
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
