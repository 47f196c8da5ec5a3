/**
 * Which card a band payment is drawn on: the one its token names. The challenge names the card
 * the band shows first, and the wearer may switch at the tap to another bank card of the band
 * (docs/FIRMWARE.md, "The card at the tap"), so the token's cardRef decides, held to what a
 * switch can reach: a card of this band, active now (not removed, nor being removed, while the
 * band waited), a bank card unless it is the challenge's own, and in the trade's currency.
 */
import { decodeSign1 } from '../../shared/cose/sign1.ts';
import { MAX_TOKEN_BYTES, decodeClaims } from '../../shared/cose/token.ts';
import { Status } from '../../shared/status/codes.ts';
import type { BandRow, CardRow, CheckoutStore, TradeRow } from '../store.ts';
import { refuse } from './errors.ts';

/**
 * The cardRef a token names, read before its signature is checked: it only picks which card's
 * terms (amount, counter) the token is then verified against, with that cardRef required
 * (verifyToken), so a token that lies about it fails there. Null when it does not decode (the
 * verifier then says why).
 */
export function tokenCardRef(token: Uint8Array): string | null {
  const s = decodeSign1(token, true, MAX_TOKEN_BYTES);
  if (!s.ok) return null;
  const c = decodeClaims(s.value.payload);
  return c.ok ? c.value.cardRef : null;
}

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
