/**
 * The hostile relay's world: the REAL checkout (HTTP on an ephemeral loopback port, SQLite
 * in a temp dir, a clock the relay can move), one merchant with a paired terminal, and two
 * bands A and B (each its own owner, one ICBC card, worn and unlocked) behind BandEndpoints.
 * The relay stands where the bridge stands and moves the protocol messages itself, so it
 * can drop, change, repeat or swap any of them. Each step here is the honest one; the
 * attacks (attacks.ts) compose them. No vitest: the bench runs the same code.
 */
import type { Challenge, CheckoutClient } from '../../checkout/api/client.ts';
import { CheckoutHttpError, TerminalSigner, createTerminalKey } from '../../checkout/api/client.ts';
import { cheapTestConfig, type Harness, startHarness } from '../checkout-harness.ts';
import { HELLO_REQUEST, type BandEndpoint, type BandReply } from './band-endpoint.ts';
import type { Verdict } from './verdict.ts';
import { LedgerAudit } from './ledger-audit.ts';

export const PASSWORD = 'correct horse battery';

export interface RelayBand {
  label: 'A' | 'B';
  ep: BandEndpoint;
  username: string;
  owner: CheckoutClient;
  deviceId: string;
}

export interface Trade {
  tradeNo: string;
  outTradeNo: string;
  amount: number;
  band: RelayBand;
}

/** What the checkout said to a posted ANSWER. */
export type Posted = { ok: true; result: Uint8Array } | { ok: false; status: string; result?: Uint8Array };

export class RelayWorld {
  readonly audit: LedgerAudit;
  /** Run by close() after the checkout (newest first): what the bands' side needs stopped. */
  readonly cleanups: Array<() => Promise<void>> = [];
  private seq = 0;

  constructor(
    readonly h: Harness,
    readonly terminal: CheckoutClient,
    readonly a: RelayBand,
    readonly b: RelayBand,
  ) {
    this.audit = new LedgerAudit(() => h.checkout.store);
  }

  /** Moves the checkout's clock and (virtual clocks only) the bands'. */
  advance(ms: number): void {
    this.h.clock.advance(ms);
    for (const band of [this.a, this.b]) band.ep.advance(ms);
    this.sync();
  }

  /** The bands' wall clocks agree with the checkout's (a time sync before every case). */
  sync(): void {
    for (const band of [this.a, this.b]) band.ep.syncWall(this.h.clock.now());
  }

  async newTrade(band: RelayBand): Promise<Trade> {
    const n = ++this.seq;
    const outTradeNo = `relay-${String(n).padStart(5, '0')}`;
    const amount = 50 + ((n * 37) % 200); // 0.50 .. 2.49: far below the password-free limits
    const t = await this.terminal.createTrade({ outTradeNo, amount, currency: 'CNY', subject: 'relay test' });
    this.audit.expect(t.tradeNo, { amount, deviceId: band.deviceId });
    return { tradeNo: t.tradeNo, outTradeNo, amount, band };
  }

  async hello(band: RelayBand): Promise<Uint8Array> {
    return message(await band.ep.request(HELLO_REQUEST), 'HELLO');
  }

  /** Posts a HELLO for the trade; null when the checkout refuses it. */
  async challenge(t: Trade, hello: Uint8Array, why?: (status: string) => void): Promise<Challenge | null> {
    try {
      return await this.terminal.payWithBand(t.outTradeNo, hello);
    } catch (e) {
      if (e instanceof CheckoutHttpError) {
        why?.(e.statusName);
        return null;
      }
      throw e;
    }
  }

  async post(challengeId: string, answer: Uint8Array): Promise<Posted> {
    try {
      return { ok: true, result: (await this.terminal.answer(challengeId, answer)).result };
    } catch (e) {
      if (e instanceof CheckoutHttpError) return { ok: false, status: e.statusName, result: e.result };
      throw e;
    }
  }

  async paid(t: Trade): Promise<boolean> {
    return (await this.audit.payments(t.tradeNo)) > 0;
  }

  /** hello → challenge → band → answer → checkout; the RESULT is returned, not delivered. */
  async payHonestly(t: Trade): Promise<{ challenge: Challenge; answer: Uint8Array; result: Uint8Array }> {
    const challenge = await this.challenge(t, await this.hello(t.band));
    if (!challenge) throw new Error(`relay: the checkout refused an honest hello for ${t.outTradeNo}`);
    const answer = message(await t.band.ep.request(challenge.message), 'ANSWER');
    const posted = await this.post(challenge.challengeId, answer);
    if (!posted.ok) throw new Error(`relay: an honest answer for ${t.outTradeNo} was refused: ${posted.status}`);
    return { challenge, answer, result: posted.result };
  }

  /** Relays `challenge` to the band and its answer to the checkout; shows the RESULT. True when that paid. */
  async complete(band: RelayBand, challenge: Challenge): Promise<boolean> {
    const reply = await band.ep.request(challenge.message);
    if (reply.kind !== 'message') return false;
    const posted = await this.post(challenge.challengeId, reply.bytes);
    if (posted.result) await band.ep.deliver(posted.result);
    return posted.ok;
  }

  /** The relay's retry after an attack: pays the trade honestly unless it is paid; shows the RESULT. */
  async settle(t: Trade): Promise<void> {
    if (await this.paid(t)) return;
    const r = await this.payHonestly(t);
    await t.band.ep.deliver(r.result);
  }

  async unlock(band: RelayBand): Promise<void> {
    const grant = await this.h.client.unlock(await this.hello(band), band.username, PASSWORD);
    const r = await this.h.client.answer(
      grant.challengeId,
      message(await band.ep.request(grant.message), 'unlock ANSWER'),
    );
    await band.ep.deliver(r.result);
  }

  async close(): Promise<void> {
    await this.h.close();
    for (const c of this.cleanups.reverse()) await c();
  }
}

export function message(r: BandReply, what: string): Uint8Array {
  if (r.kind !== 'message')
    throw new Error(`relay: expected the band's ${what}, got ${r.kind === 'error' ? `ERROR ${r.status}` : 'silence'}`);
  return r.bytes;
}

async function setUpBand(h: Harness, label: 'A' | 'B', ep: BandEndpoint): Promise<RelayBand> {
  const username = `relay-owner-${label.toLowerCase()}`;
  await h.client.register({ username, password: PASSWORD, paymentPassword: '135790' });
  const owner = await h.client.loginAs(username, PASSWORD);
  const offer = await owner.startEnrollment();
  const band = await owner.completeEnrollment(
    offer.enrollId,
    message(await ep.request(offer.enroll), 'ENROLLED'),
    `band ${label}`,
  );
  const { challenge } = await owner.addCard(band.deviceId, { issuerId: 'icbc' });
  const added = await owner.answer(
    challenge.challengeId,
    message(await ep.request(challenge.message), 'provision ANSWER'),
  );
  await ep.deliver(added.result);
  const b: RelayBand = { label, ep, username, owner, deviceId: band.deviceId };
  await ep.putOn();
  return b;
}

/** Starts the checkout, pairs the terminal, sets both bands up (worn, unlocked). */
export async function startRelayWorld(
  endpoints: (h: Harness) => Promise<[BandEndpoint, BandEndpoint]>,
): Promise<RelayWorld> {
  const h = await startHarness(cheapTestConfig);
  try {
    await h.client.register({
      username: 'relay-shop',
      password: PASSWORD,
      kind: 'merchant',
      displayName: 'Relay Cafe',
    });
    const merchant = await h.client.loginAs('relay-shop', PASSWORD);
    const key = createTerminalKey(h.provider);
    const t = await h.client.pairTerminal((await merchant.createPairingCode()).code, key.publicKey, 'till 1');
    const terminal = h.client.withTerminal(new TerminalSigner(h.provider, t.terminalId, key.scalar, h.clock.now));
    const [epA, epB] = await endpoints(h);
    const world = new RelayWorld(h, terminal, await setUpBand(h, 'A', epA), await setUpBand(h, 'B', epB));
    world.sync();
    await world.unlock(world.a);
    await world.unlock(world.b);
    return world;
  } catch (e) {
    await h.close();
    throw e;
  }
}

// ---- steps the attacks share ----

export const LATE_MS = 61_000; // challenges live 60 s

export async function must(w: RelayWorld, t: Trade, hello: Uint8Array): Promise<Challenge> {
  const ch = await w.challenge(t, hello);
  if (!ch) throw new Error('relay: no challenge for an honest hello');
  return ch;
}

export async function answerOf(b: RelayBand, challenge: Uint8Array): Promise<Uint8Array> {
  return message(await b.ep.request(challenge), 'ANSWER');
}

/** Settles each trade and says 'refused' unless every one of them was already paid before settling. */
export async function settleAll(w: RelayWorld, ...ts: Trade[]): Promise<Verdict> {
  let all = true;
  for (const t of ts) all = (await w.paid(t)) && all;
  for (const t of ts) await w.settle(t);
  return all ? 'absorbed' : 'refused';
}
