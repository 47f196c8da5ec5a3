/**
 * How both SQL stores refuse a money change: a `Refusal` thrown inside the transaction rolls
 * it back and becomes a failed Commit with its status. The ledger's refusals are named once
 * here, with the words both stores report, so a payment or refund refused on SQLite and on
 * PostgreSQL reads the same (the PostgreSQL payment statement returns these names).
 */
import { Status, type StatusCode } from '../../shared/status/codes.ts';

export class Refusal {
  constructor(
    readonly status: StatusCode,
    readonly detail: string,
  ) {}
}

/** In the order a payment is checked (sqlite/ledger.ts, postgres/payment-statement.ts). */
export const LEDGER_REFUSALS = {
  REPLAYED: { status: Status.REPLAYED, detail: 'challenge already answered' },
  TERMINAL_UNPAIRED: { status: Status.TERMINAL_UNPAIRED, detail: 'the terminal was unpaired by its merchant' },
  BAND_REVOKED: { status: Status.REVOKED, detail: 'band is revoked' },
  CARD_BAND_REVOKED: { status: Status.REVOKED, detail: 'the card is on a band that is turned off' },
  TRADE_CLOSED: { status: Status.TRADE_CLOSED, detail: 'trade is not waiting for payment' },
  COUNTER_NOT_INCREASING: { status: Status.COUNTER_NOT_INCREASING, detail: 'counter not above the last one seen' },
  LIMIT_EXCEEDED: { status: Status.LIMIT_EXCEEDED, detail: 'above the password-free day limit' },
  OFFER_TAKEN: {
    status: Status.CONFLICT,
    detail: 'the free ride this challenge offered was taken by another payment of the card; pay again',
  },
  REFUND_NUMBER_REUSED: { status: Status.CONFLICT, detail: 'refund number reused with another amount' },
  TRADE_NOT_PAID: {
    status: Status.TRADE_NOT_PAID,
    detail: 'the trade has not been paid; close it instead of refunding',
  },
  REFUND_EXCEEDS_PAID: { status: Status.REFUND_EXCEEDS_PAID, detail: 'total refunds would exceed the amount paid' },
} as const satisfies Record<string, { status: StatusCode; detail: string }>;

export type LedgerRefusal = keyof typeof LEDGER_REFUSALS;

export function refusal(name: LedgerRefusal): Refusal {
  const r = LEDGER_REFUSALS[name];
  return new Refusal(r.status, r.detail);
}
