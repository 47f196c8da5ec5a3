/**
 * Which card a band payment is drawn on: the one its token names. The challenge names the card
 * the band shows first, and the wearer may switch at the tap to another bank card of the band
 * (docs/FIRMWARE.md, "The card at the tap"), so the signed cardRef decides, held to what a
 * switch can reach: a card of this band, active now (not removed, nor being removed, while the
 * band waited), a bank card unless it is the challenge's own, and in the trade's currency.
 */
import { Status } from '../../shared/status/codes.ts';
import type { BandRow, CardRow, CheckoutStore, TradeRow } from '../store.ts';
import { refuse } from './errors.ts';

export async function payingCard(
  store: CheckoutStore,
  band: BandRow,
  named: CardRow,
  signedRef: string,
  trade: TradeRow,
  express: boolean,
): Promise<CardRow> {
  let card = named;
  if (signedRef !== named.cardRef) {
    // An express fare has no window: its token names the transit card its challenge named.
    if (express) refuse(Status.CLAIM_MISMATCH, 'an express fare is paid from the card its challenge names');
    const other = await store.bands.card(signedRef);
    if (!other || other.deviceId !== band.deviceId || other.kind !== 'bank')
      refuse(Status.CLAIM_MISMATCH, 'the token names no bank card of this band');
    card = other;
  }
  if (card.state !== 'active') refuse(Status.CARD_NOT_FOUND, `the card ${card.cardRef} is no longer on the band`);
  // Held here, not only when the challenge was issued: a card in another currency never pays.
  if (card.currency !== trade.currency)
    refuse(Status.CURRENCY_MISMATCH, `a ${trade.currency} trade cannot be paid from a ${card.currency} card`);
  return card;
}
