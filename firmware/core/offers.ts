/**
 * What the band charges a card for a payment challenge: the checkout's offer for that card
 * when a promotion changes its amount, else the list amount (docs/PROTOCOL.md §3, challenge
 * key 19). One lookup, so the amount shown, counted against the limits of the day and
 * signed into the token (claim `amount`) are the same.
 */
import type { PaymentChallenge } from '../../shared/messages/bodies.ts';
import type { WalletEntry } from './wallet.ts';

export function amountFor(ch: PaymentChallenge, entry: WalletEntry): number {
  const offers = ch.offers;
  if (offers)
    for (let i = 0; i < offers.length; i++) if (offers[i].cardRef === entry.card.cardRef) return offers[i].amount;
  return ch.amount;
}
