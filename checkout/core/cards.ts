/**
 * Cards on a band. The checkout mints a token reference for every card ("tok_" + 8 base32)
 * and 4 random digits that the band shows as the token's "last 4"; a card number typed
 * by the owner is Luhn-checked and then forgotten, so its digits appear nowhere. Neither band nor bridge ever
 * sees a card number. A card is live once the band confirms its provision challenge.
 */
import { Status } from '../../shared/status/codes.ts';
import type { CardRow } from '../store.ts';
import type { Bands } from './bands.ts';
import { findCity, findIssuer, normaliseCardNumber } from '../api/catalogue.ts';
import { issueChallenge } from './challenges.ts';
import type { IssuedChallenge } from './issued-challenge.ts';
import type { Ctx } from './context.ts';
import { refuse } from './errors.ts';
import { insertWithFreshId } from './ids.ts';
import { type CardView, cardView } from './views.ts';

export interface AddCardInput {
  /** A bank issuer id from the catalogue … */
  issuerId?: string;
  /** … or a transit city id. */
  cityId?: string;
  /** Optional; validated (Luhn) and discarded. */
  cardNumber?: string;
  /** Transit only: the starting stored balance (defaults to the city's). */
  balance?: number;
}

/**
 * The card of `kind` a payment starts with (the band shows it first): the owner's default for
 * that kind, else the oldest; with `currency`, only among the cards in that currency (the
 * default of another currency does not stop a card of this one from paying).
 */
export function defaultCard(cards: CardRow[], kind: CardRow['kind'], currency?: string): CardRow | undefined {
  const live = cards.filter(
    (c) => c.kind === kind && c.state === 'active' && (currency === undefined || c.currency === currency),
  );
  return live.find((c) => c.isDefault) || live[0];
}

export class Cards {
  constructor(
    private readonly ctx: Ctx,
    private readonly bands: Bands,
  ) {}

  async add(
    accountId: string,
    deviceId: string,
    input: AddCardInput,
  ): Promise<{ card: CardView; challenge: IssuedChallenge }> {
    const band = await this.bands.owned(accountId, deviceId, true);
    if ((input.issuerId === undefined) === (input.cityId === undefined))
      refuse(Status.MALFORMED, 'give exactly one of issuerId (bank) or cityId (transit)');
    if (input.cardNumber !== undefined && normaliseCardNumber(input.cardNumber) === null)
      refuse(Status.MALFORMED, 'cardNumber: 12 to 19 digits that pass the Luhn check');
    const { provider, clock, config, store } = this.ctx;
    const existing = await store.bands.cards(deviceId);
    const base = {
      deviceId,
      last4: tokenLast4(provider.randomBytes(8)),
      state: 'pending' as const,
      lastCounter: -1,
      createdAt: clock(),
    };
    let row: Omit<CardRow, 'cardRef'>;
    if (input.issuerId !== undefined) {
      const issuer = findIssuer(input.issuerId);
      if (!issuer) refuse(Status.NOT_FOUND, `no issuer ${input.issuerId} in the catalogue`);
      row = {
        ...base,
        kind: 'bank',
        issuerId: issuer.id,
        issuer: issuer.name,
        isDefault: !hasDefault(existing, 'bank'),
        city: null,
        currency: issuer.currency,
        balance: 0,
        fareCap: 0,
      };
    } else {
      const city = findCity(input.cityId as string);
      if (!city) refuse(Status.NOT_FOUND, `no transit city ${input.cityId} in the catalogue`);
      const balance = input.balance ?? city.defaultBalance;
      if (!Number.isSafeInteger(balance) || balance < 0 || balance > 1_000_000_00)
        refuse(Status.MALFORMED, 'balance: a non-negative integer of minor units');
      row = {
        ...base,
        kind: 'transit',
        issuerId: city.id,
        issuer: city.card,
        isDefault: !hasDefault(existing, 'transit'),
        city: city.city,
        currency: city.currency,
        balance,
        fareCap: city.fareCap,
      };
    }
    // The token reference travels on the air (8 characters): a taken one is retried with a fresh one.
    const fields = row;
    const added = await insertWithFreshId(provider, 'tok', (cardRef) =>
      store.bands.addCard({ cardRef, ...fields }, config.maxCardsPerBand),
    );
    if (!added.ok) refuse(added.status, added.detail);
    const stored = added.value;
    const card =
      stored.kind === 'bank'
        ? {
            kind: 'bank' as const,
            cardRef: stored.cardRef,
            issuer: stored.issuer,
            last4: stored.last4,
            isDefault: stored.isDefault,
            currency: stored.currency,
          }
        : {
            kind: 'transit' as const,
            cardRef: stored.cardRef,
            issuer: stored.issuer,
            last4: stored.last4,
            city: stored.city as string,
            balance: stored.balance,
            fareCap: stored.fareCap,
            currency: stored.currency,
          };
    let challenge: IssuedChallenge;
    try {
      challenge = await issueChallenge(this.ctx, band, { kind: 'provision', card }, { cardRef: stored.cardRef });
    } catch (e) {
      await store.bands.setCardState(stored.cardRef, 'failed'); // no challenge (QUOTA_EXCEEDED): no slot held by a card that cannot arrive
      throw e;
    }
    return { card: cardView(stored), challenge };
  }

  /**
   * The owner's default card of its kind (bank, transit): the checkout's alone, no radio needed.
   * Each payment challenge names the card to show first (band-pay.ts), so the band follows at
   * its next tap; the wearer can still switch there.
   */
  async setDefault(accountId: string, deviceId: string, cardRef: string): Promise<CardView> {
    const band = await this.bands.owned(accountId, deviceId, true);
    if (!(await this.ctx.store.bands.setDefaultCard(band.deviceId, cardRef)))
      refuse(Status.CARD_NOT_FOUND, `no active card ${cardRef} on this band`);
    return cardView((await this.ctx.store.bands.card(cardRef)) as CardRow);
  }

  async remove(accountId: string, deviceId: string, cardRef: string): Promise<IssuedChallenge> {
    const band = await this.bands.owned(accountId, deviceId, true);
    const card = await this.ctx.store.bands.card(cardRef);
    if (!card || card.deviceId !== band.deviceId || card.state === 'removed' || card.state === 'failed')
      refuse(Status.CARD_NOT_FOUND, `no card ${cardRef} on this band`);
    // The challenge first: refused (QUOTA_EXCEEDED), the card stays as it was.
    const challenge = await issueChallenge(this.ctx, band, { kind: 'remove-card', cardRef }, { cardRef });
    await this.ctx.store.bands.setCardState(cardRef, 'removing');
    return challenge;
  }
}

/** The first card of a kind becomes its default (docs/BRIDGE.md, "Default cards"). */
function hasDefault(cards: CardRow[], kind: CardRow['kind']): boolean {
  return cards.some((c) => c.kind === kind && c.isDefault && (c.state === 'active' || c.state === 'pending'));
}

/** The token's "last 4": random, so they say nothing about the real card number. */
function tokenLast4(random: Uint8Array): string {
  let n = 0;
  for (const b of random) n = (n * 256 + b) % 10_000;
  return String(n).padStart(4, '0');
}
