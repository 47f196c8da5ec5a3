/**
 * Building blocks for checkout tests: an owner with an enrolled, unlocked band holding a
 * bank card; a merchant with a paired terminal; a band payment from trade to receipt.
 * Everything goes over HTTP through the client library, as a bridge would.
 */
import { type CheckoutClient, TerminalSigner, createTerminalKey } from '../../../checkout/api/client.ts';
import type { Api } from '../../../checkout/api/client.ts';
import { BandDouble, type PayOptions } from './band-double.ts';
import type { Harness } from '../../../harness/checkout-harness.ts';

let seq = 0;
/** Unique names per test file run (the database is fresh per harness, but tests share one). */
export function unique(prefix: string): string {
  seq += 1;
  return `${prefix}${seq}${Math.floor(Math.random() * 1e6)}`;
}

export const PASSWORD = 'correct horse battery';
export const PAY_PASSWORD = '135790';

export interface Owner {
  username: string;
  token: string;
  client: CheckoutClient;
  account: Api.AccountView;
}
export interface OwnedBand extends Owner {
  band: BandDouble;
  deviceId: string;
  cardRef: string;
}
export interface Terminal {
  merchantId: string;
  merchantName: string;
  terminalId: string;
  /** Signs as the terminal. */
  client: CheckoutClient;
  signer: TerminalSigner;
  /** The merchant's own session (dashboard API). */
  merchant: CheckoutClient;
}

export async function newOwner(h: Harness): Promise<Owner> {
  const username = unique('owner');
  const account = await h.client.register({ username, password: PASSWORD, paymentPassword: PAY_PASSWORD });
  const { token } = await h.client.login(username, PASSWORD);
  return { username, account, token, client: h.client.withToken(token) };
}

/** Enrolls a fresh band double under `owner` and returns it (no cards, worn and locked). */
export async function enrollBand(h: Harness, owner: Owner): Promise<{ band: BandDouble; deviceId: string }> {
  const band = BandDouble.create(h.provider);
  const offer = await owner.client.startEnrollment();
  const view = await owner.client.completeEnrollment(offer.enrollId, band.enroll(offer.enroll), 'test band');
  return { band, deviceId: view.deviceId };
}

/** Provisions a card and has the band confirm it. */
export async function addCard(
  owner: Owner,
  band: BandDouble,
  deviceId: string,
  req: Api.AddCardRequest,
): Promise<Api.CardView> {
  const { card, challenge } = await owner.client.addCard(deviceId, req);
  const opened = band.open(challenge.message);
  await owner.client.answer(challenge.challengeId, band.answerOk(opened));
  return card;
}

/** Asks for an unlock grant with the band's hello and has the band accept it. */
export async function unlock(h: Harness, owner: Owner, band: BandDouble): Promise<void> {
  const challenge = await h.client.unlock(band.hello(), owner.username, PASSWORD);
  const opened = band.open(challenge.message);
  await h.client.answer(challenge.challengeId, band.answerOk(opened));
}

/** Owner + enrolled band + one ICBC card + unlocked. */
export async function ownerWithBand(h: Harness): Promise<OwnedBand> {
  const owner = await newOwner(h);
  const { band, deviceId } = await enrollBand(h, owner);
  const card = await addCard(owner, band, deviceId, { issuerId: 'icbc' });
  await unlock(h, owner, band);
  return { ...owner, band, deviceId, cardRef: card.cardRef };
}

/** Merchants made by default in each harness: display names are unique per checkout, so the second is "Lawson Jing an 2". */
const defaultMerchants = new WeakMap<Harness, number>();

export async function merchantWithTerminal(h: Harness, name?: string, category?: string): Promise<Terminal> {
  const n = (defaultMerchants.get(h) ?? 0) + (name === undefined ? 1 : 0);
  defaultMerchants.set(h, n);
  const displayName = name ?? (n === 1 ? 'Lawson Jing an' : `Lawson Jing an ${n}`);
  const username = unique('shop');
  await h.client.register({ username, password: PASSWORD, kind: 'merchant', displayName, category });
  const merchant = await h.client.loginAs(username, PASSWORD);
  const { code } = await merchant.createPairingCode();
  const key = createTerminalKey(h.provider);
  const t = await h.client.pairTerminal(code, key.publicKey, 'till 1');
  const signer = new TerminalSigner(h.provider, t.terminalId, key.scalar, h.clock.now);
  return {
    merchantId: t.merchantId,
    merchantName: t.merchantName,
    terminalId: t.terminalId,
    signer,
    client: h.client.withTerminal(signer),
    merchant,
  };
}

export async function newTrade(
  t: Terminal,
  amount: number,
  extra: Partial<Api.CreateTradeRequest> = {},
): Promise<Api.TradeView> {
  return t.client.createTrade({ outTradeNo: unique('order-'), amount, currency: 'CNY', subject: 'coffee', ...extra });
}

/** hello → PAYMENT challenge → band signs → answer posted. Returns the checkout's reply. */
export async function payWithBand(
  t: Terminal,
  band: BandDouble,
  outTradeNo: string,
  opts: PayOptions = {},
): Promise<Awaited<ReturnType<CheckoutClient['answer']>>> {
  const challenge = await t.client.payWithBand(outTradeNo, band.hello(), opts.express);
  const opened = band.open(challenge.message);
  return t.client.answer(challenge.challengeId, band.pay(opened, opts));
}
