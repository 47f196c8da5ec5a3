/**
 * Paying with the band, first half: the terminal posts the band's HELLO for one of its
 * merchant's trades; the checkout answers with a PAYMENT challenge naming the owner's default
 * bank card in the trade's currency, or its default transit card in express mode. The second half (verifying the
 * answer) is in answers.ts.
 */
import { Status } from '../../shared/status/codes.ts';
import type { TerminalRow } from '../store.ts';
import { defaultCard } from './cards.ts';
import { issueChallenge } from './challenges.ts';
import type { IssuedChallenge } from './issued-challenge.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { identifyBand, requireWorn } from './hello.ts';
import { priceCards } from './offers.ts';
import type { Trades } from './trades.ts';

export interface PayWithBandInput {
  hello: Uint8Array;
  /** A transit fare in express mode: the band's transit card in the trade's currency, worn is enough. */
  express?: boolean;
}

export class BandPayments {
  constructor(
    private readonly ctx: Ctx,
    private readonly trades: Trades,
  ) {}

  async start(terminal: TerminalRow, outTradeNo: string, input: PayWithBandInput): Promise<IssuedChallenge> {
    const trade = await this.trades.find(terminal, outTradeNo);
    this.trades.requirePayable(trade);
    const express = input.express === true;
    const { band, body } = await identifyBand(this.ctx, input.hello, terminal);
    requireWorn(body, !express);
    const cards = await this.ctx.store.bands.cards(band.deviceId);
    const kind = express ? 'transit' : 'bank';
    // The default of its kind in the trade's currency, else the default of any (then refused below).
    const card = defaultCard(cards, kind, trade.currency) ?? (express ? undefined : defaultCard(cards, kind));
    if (!card)
      refuse(
        Status.CARD_NOT_FOUND,
        express ? `no transit card in ${trade.currency} on this band` : 'no bank card on this band',
      );
    // Only a card of the trade's own currency pays.
    if (card.currency !== trade.currency)
      refuse(
        Status.CURRENCY_MISMATCH,
        `a ${trade.currency} trade cannot be paid from the band's ${card.currency} card`,
      );
    if (express && trade.amount > card.fareCap) refuse(Status.FARE_CAP_EXCEEDED, `fare above the ${card.city} cap`);
    if (express && trade.amount > card.balance)
      refuse(Status.INSUFFICIENT_BALANCE, 'the transit balance does not cover the fare');
    const merchant = await this.ctx.store.accounts.byId(trade.merchantId);
    // Every card that may pay (a fare: its transit card; else any live bank card in the trade's
    // currency, since the wearer may switch at the tap) is priced; the band signs its card's offer.
    const payable = express
      ? [card]
      : cards.filter((c) => c.kind === 'bank' && c.state === 'active' && c.currency === trade.currency);
    const priced = await priceCards(this.ctx, payable, trade);
    return issueChallenge(
      this.ctx,
      band,
      {
        kind: 'payment',
        amount: trade.amount,
        currency: trade.currency,
        merchantId: trade.merchantId,
        merchantName: merchant ? merchant.displayName : trade.merchantId,
        terminalId: terminal.id,
        orderId: trade.outTradeNo,
        // Named, so the band shows the owner's default of this kind first (the band's own default
        // may be older); the wearer may switch to another bank card of the currency at the tap,
        // and the token names the card that paid (answers.ts, paying-card.ts). A fare names its card.
        cardRef: card.cardRef,
        express,
        offers: priced.offers,
      },
      {
        tradeNo: trade.tradeNo,
        terminalId: terminal.id,
        cardRef: card.cardRef,
        express,
        terms: priced.terms.length > 0 ? JSON.stringify(priced.terms) : undefined,
      },
    );
  }
}
