/**
 * The payment policy (docs/FIRMWARE.md, "Limits and payments"): which card pays, whether the band
 * may sign, and whether the wearer must confirm with the button. Pure: every input is
 * passed in, so each rule is tested on its own.
 */
import type { PaymentChallenge } from '../../shared/messages/bodies.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';
import type { Limits } from './wear-session.ts';
import type { Wallet, WalletEntry } from './wallet.ts';

export interface PolicyInput {
  challenge: PaymentChallenge;
  worn: boolean;
  unlocked: boolean;
  charging: boolean;
  wallet: Wallet;
  limits: Limits;
  /** UTC day number of the band's wall clock. */
  day: number;
}

export type PolicyDecision =
  | { allowed: false; status: StatusCode }
  | { allowed: true; entry: WalletEntry; express: boolean; needsConfirmation: boolean };

function refuse(status: StatusCode): PolicyDecision {
  return { allowed: false, status };
}

export function decidePayment(p: PolicyInput): PolicyDecision {
  const ch = p.challenge;
  if (p.charging) return refuse(Status.CHARGING);
  if (!p.worn) return refuse(Status.NOT_WORN);
  if (ch.express) {
    // Transit fares in express mode: worn is enough, within the city's fare cap and the stored balance.
    if (ch.cardRef === undefined) return refuse(Status.CARD_NOT_FOUND);
    const transit = p.wallet.find(ch.cardRef);
    if (transit === null || transit.card.kind !== 'transit') return refuse(Status.CARD_NOT_FOUND);
    const card = transit.card;
    if (card.currency !== ch.currency) return refuse(Status.CLAIM_MISMATCH);
    if (ch.amount > card.fareCap) return refuse(Status.FARE_CAP_EXCEEDED);
    if (ch.amount > card.balance) return refuse(Status.INSUFFICIENT_BALANCE);
    return { allowed: true, entry: transit, express: true, needsConfirmation: false };
  }
  if (!p.unlocked) return refuse(Status.LOCKED);
  const entry = ch.cardRef !== undefined ? p.wallet.find(ch.cardRef) : p.wallet.defaultBankCard();
  if (entry === null || entry.card.kind !== 'bank') return refuse(Status.CARD_NOT_FOUND);
  if (entry.card.currency !== ch.currency) return refuse(Status.CLAIM_MISMATCH);
  const overPayment = ch.amount > p.limits.perPayment;
  const overDay = p.wallet.spentOn(p.day) + ch.amount > p.limits.perDay;
  return { allowed: true, entry, express: false, needsConfirmation: overPayment || overDay };
}
