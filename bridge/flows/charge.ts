/**
 * A merchant's charge (docs/PROTOCOL.md §5): create the trade, ask the nearest band for
 * its sealed HELLO, post it for a sealed PAYMENT challenge, relay the challenge (prompting
 * for the band's button on KEEPALIVE), post the band's sealed ANSWER, show the RESULT on
 * the band and return the receipt.
 *
 * When no band can sign — none nearby, or it is locked, off the wrist, charging, or went
 * away mid-payment — the result is `password-needed`: the trade is open, and the shell can
 * offer the payment password (payWithPassword). A band the owner turned off gets its
 * queued wipe on the way (the result says so).
 */
import { Status } from '../../shared/status/codes.ts';
import type { CheckoutClient } from '../../checkout/api/client.ts';
import type { BandSession } from '../relay/band-session.ts';
import { settledTrade } from './already-paid.ts';
import { type ChargeReceipt, receiptOf } from './receipt.ts';
import { type Refusal, refusal, refusalOf } from './outcome.ts';
import { type RelayOptions, checkoutRefusal, readHello, relayChallenge } from './relay-challenge.ts';

export interface ChargeRequest {
  /** Minor units (fen, cents). */
  amount: number;
  currency: string;
  /** The merchant's order number (outTradeNo): [A-Za-z0-9_.-]{1,64}, idempotent. */
  orderId: string;
  subject?: string;
  /** A transit fare in express mode (worn is enough; the band's transit card pays). */
  express?: boolean;
  notifyUrl?: string;
}

export type ChargeResult =
  | { ok: true; outcome: 'paid'; receipt: ChargeReceipt; resultShown: boolean; alreadyPaid?: true }
  | { ok: false; outcome: 'password-needed'; outTradeNo: string; amount: number; currency: string; reason: Refusal }
  | { ok: false; outcome: 'declined'; outTradeNo: string | null; refusal: Refusal };

export type ChargeStep = 'trade' | 'hello' | 'challenge' | 'band' | 'answer';

export interface ChargeOptions extends RelayOptions {
  /** Progress, for spinners. */
  onStep?: (step: ChargeStep) => void;
  /** The paired terminal's merchant, for a receipt rebuilt when the order was already paid. */
  merchantName?: string;
}

/** Refusals after which the payment password can still pay the (open) trade. */
const PASSWORD_STATUSES: number[] = [Status.LOCKED, Status.NOT_WORN, Status.CHARGING, Status.PASSWORD_REQUIRED];

export async function charge(
  terminal: CheckoutClient,
  session: BandSession | null,
  req: ChargeRequest,
  opts: ChargeOptions = {},
): Promise<ChargeResult> {
  const step = (s: ChargeStep): void => opts.onStep?.(s);
  const orderId = req.orderId;
  const passwordNeeded = (reason: Refusal): ChargeResult => ({
    ok: false,
    outcome: 'password-needed',
    outTradeNo: orderId,
    amount: req.amount,
    currency: req.currency,
    reason,
  });
  const decide = (r: Refusal): ChargeResult =>
    PASSWORD_STATUSES.includes(r.status) || (r.stage !== 'checkout' && r.kind === 'unreachable')
      ? passwordNeeded(r)
      : { ok: false, outcome: 'declined', outTradeNo: orderId, refusal: r };

  // A paid order charged again answers with its receipt; a closed one stays declined.
  const settled = async (): Promise<ChargeResult> => {
    const s = await settledTrade(terminal, orderId, opts.merchantName ?? '');
    return s.ok
      ? { ok: true, outcome: 'paid', receipt: s.receipt, resultShown: false, alreadyPaid: true }
      : { ok: false, outcome: 'declined', outTradeNo: orderId, refusal: s.refusal };
  };

  step('trade');
  try {
    const trade = await terminal.createTrade({
      outTradeNo: orderId,
      amount: req.amount,
      currency: req.currency,
      subject: req.subject ?? 'wristpay',
      notifyUrl: req.notifyUrl,
    });
    if (trade.status !== 'WAIT_BUYER_PAY') return settled();
  } catch (e) {
    return { ok: false, outcome: 'declined', outTradeNo: null, refusal: refusalOf(e, 'checkout') };
  }
  if (!session?.connected) return passwordNeeded(refusal(Status.PASSWORD_REQUIRED, 'radio', 'no band nearby'));

  step('hello');
  const hello = await readHello(session, opts);
  if (!hello.ok) return decide(hello);

  step('challenge');
  let challenge;
  try {
    challenge = await terminal.payWithBand(orderId, hello.value.bytes, req.express);
  } catch (e) {
    const r = await checkoutRefusal(e, terminal, session, opts);
    // Paid in between (another till, a retry still in flight): the same lookup.
    return r.status === Status.TRADE_CLOSED ? settled() : decide(r);
  }

  step('band');
  const relayed = await relayChallenge(terminal, session, challenge, { ...opts, onAnswer: () => step('answer') });
  if (!relayed.ok) return decide(relayed);
  if (!relayed.value.receipt)
    return {
      ok: false,
      outcome: 'declined',
      outTradeNo: orderId,
      refusal: refusal(Status.INTERNAL, 'checkout', 'the checkout accepted the answer but sent no receipt'),
    };
  return {
    ok: true,
    outcome: 'paid',
    receipt: receiptOf(relayed.value.receipt),
    resultShown: relayed.value.resultShown,
  };
}
