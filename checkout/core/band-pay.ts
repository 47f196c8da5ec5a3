/**
 * Paying with the band, first half: the terminal posts the band's HELLO for one of its
 * merchant's trades; the checkout answers with a PAYMENT challenge for the band's default
 * bank card (left unnamed on the air), or for its transit card in express mode. The second half (verifying the
 * answer) is in answers.ts.
 */
import { Status } from '../../shared/status/codes.ts';
import type { CardRow, TerminalRow } from '../store.ts';
import { defaultBankCard } from './cards.ts';
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
    const card = express ? transitCard(cards, trade.currency) : defaultBankCard(cards);
    if (!card)
      refuse(
        Status.CARD_NOT_FOUND,
        express ? `no transit card in ${trade.currency} on this band` : 'no bank card on this band',
      );
    // The default bank card pays (the challenge leaves it unnamed); only in the trade's own currency.
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
        // The default bank card goes unnamed (absent = the band's default bank card, PROTOCOL.md §3);
        // the token still names the card it paid with, and answers.ts holds it to this one.
        // A transit fare names its card.
        cardRef: express ? card.cardRef : undefined,
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

function transitCard(cards: CardRow[], currency: string): CardRow | undefined {
  return cards.find((c) => c.kind === 'transit' && c.state === 'active' && c.currency === currency);
}
