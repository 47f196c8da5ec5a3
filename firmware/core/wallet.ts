/**
 * The wallet: up to 8 tokenized cards with their per-card counters, transit balances
 * and the day's password-free total. Pure data and rules; persistence is in
 * band-store.ts, so every change here is committed by the caller before it counts.
 */
import type { Card } from '../../shared/messages/bodies.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';

export interface WalletEntry {
  card: Card;
  /** Last counter value signed for this card (0 = none yet). */
  counter: number;
}

/** The mutable ledger part: what a payment changes. */
export interface DayTotal {
  /** UTC day number (wall ms / 86 400 000). */
  day: number;
  /** Password-free total spent that day, minor units. */
  total: number;
}

export const DAY_MS = 86400000;

export class Wallet {
  entries: WalletEntry[] = [];
  dayTotal: DayTotal = { day: 0, total: 0 };

  constructor(private readonly maxCards: number) {}

  find(cardRef: string): WalletEntry | null {
    for (let i = 0; i < this.entries.length; i++) if (this.entries[i].card.cardRef === cardRef) return this.entries[i];
    return null;
  }

  /** The bank card used when a payment names none: the default, else the first. */
  defaultBankCard(): WalletEntry | null {
    let first: WalletEntry | null = null;
    for (let i = 0; i < this.entries.length; i++) {
      const c = this.entries[i].card;
      if (c.kind !== 'bank') continue;
      if (c.isDefault) return this.entries[i];
      if (first === null) first = this.entries[i];
    }
    return first;
  }

  /**
   * The cards the wearer may switch between at the tap: `first` (the one the payment would use),
   * then every other bank card in its currency, in wallet order. Express fares have no choice.
   */
  choices(first: WalletEntry): WalletEntry[] {
    const out = [first];
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e !== first && e.card.kind === 'bank' && e.card.currency === first.card.currency) out.push(e);
    }
    return out;
  }

  /** Adds or replaces a card by reference; the 9th distinct card is refused. */
  add(card: Card): StatusCode {
    const existing = this.find(card.cardRef);
    if (existing === null && this.entries.length >= this.maxCards) return Status.WALLET_FULL;
    if (card.kind === 'bank' && card.isDefault) {
      for (let i = 0; i < this.entries.length; i++) {
        const c = this.entries[i].card;
        if (c.kind === 'bank') c.isDefault = false;
      }
    }
    if (existing !== null) existing.card = card;
    else this.entries.push({ card, counter: 0 });
    return Status.OK;
  }

  remove(cardRef: string): StatusCode {
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i].card.cardRef === cardRef) {
        this.entries.splice(i, 1);
        return Status.OK;
      }
    }
    return Status.CARD_NOT_FOUND;
  }

  clear(): void {
    this.entries = [];
    this.dayTotal = { day: 0, total: 0 };
  }

  /** Password-free total already spent on `day`. */
  spentOn(day: number): number {
    return this.dayTotal.day === day ? this.dayTotal.total : 0;
  }
}
