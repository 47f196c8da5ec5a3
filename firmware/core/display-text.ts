/** What the band's few display lines say (pure formatting; ES5-safe). */
import { WearState, type WearStateCode } from '../../shared/protocol/constants.ts';
import { Status, type StatusCode } from '../../shared/status/codes.ts';

/** "CNY 12.50" from minor units (two decimals: every catalogue currency has them). */
export function formatAmount(amount: number, currency: string): string {
  const major = Math.floor(amount / 100);
  const minor = amount % 100;
  return currency + ' ' + major + '.' + (minor < 10 ? '0' : '') + minor;
}

/** What a band its owner is looking for shows while it rings. */
export const FIND_LINES = ['Find me', 'Owner is looking'];

export function idleLines(state: WearStateCode, enrolled: boolean, cards: number): string[] {
  if (!enrolled) return ['wristpay', 'Not enrolled'];
  if (state === WearState.CHARGING) return ['wristpay', 'Charging'];
  if (state === WearState.OFF_WRIST) return ['wristpay', 'Off wrist'];
  if (state === WearState.WORN_LOCKED) return ['wristpay', 'Locked', 'Unlock in app'];
  return ['wristpay', 'Ready to pay', cards + (cards === 1 ? ' card' : ' cards')];
}

/** The second line of a refusal. */
export function statusLine(status: StatusCode): string {
  if (status === Status.LIMIT_EXCEEDED || status === Status.CONFIRMATION_TIMEOUT) return 'Not confirmed';
  if (status === Status.NOT_WORN) return 'Not worn';
  if (status === Status.LOCKED) return 'Locked';
  return 'Code ' + status;
}

/**
 * The checkout's RESULT on the display. The RESULT carries only a status: the band says
 * what it was about from the challenge it just answered (`kind`: '' when that one did not
 * open far enough to be known; `amount`: a payment's, formatted). A payment's verdict gets
 * a headline.
 */
export function resultLines(kind: string, amount: string, status: StatusCode): string[] {
  if (status !== Status.OK) return ['Declined', statusLine(status)];
  if (kind === 'payment') return ['Approved', 'Paid ' + amount];
  if (kind === 'unlock') return ['Unlocked'];
  if (kind === 'provision') return ['Card added'];
  if (kind === 'remove-card') return ['Card removed'];
  if (kind === 'wipe') return ['Wiped'];
  if (kind === 'find') return FIND_LINES;
  if (kind === 'key-update') return ['Keys updated'];
  return ['Done'];
}
