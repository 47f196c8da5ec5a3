/** What the band's few display lines say (pure formatting; ES5-safe). */
import { WearState, WearStateCode } from '../../shared/protocol/constants.ts';

/** "CNY 12.50" from minor units (two decimals: every catalogue currency has them). */
export function formatAmount(amount: number, currency: string): string {
  const major = Math.floor(amount / 100);
  const minor = amount % 100;
  return currency + ' ' + major + '.' + (minor < 10 ? '0' : '') + minor;
}

export function idleLines(state: WearStateCode, enrolled: boolean, cards: number): string[] {
  if (!enrolled) return ['wristpay', 'Not enrolled'];
  if (state === WearState.CHARGING) return ['wristpay', 'Charging'];
  if (state === WearState.OFF_WRIST) return ['wristpay', 'Off wrist'];
  if (state === WearState.WORN_LOCKED) return ['wristpay', 'Locked', 'Unlock in app'];
  return ['wristpay', 'Ready to pay', cards + (cards === 1 ? ' card' : ' cards')];
}

export function clip(text: string, columns: number): string {
  return text.length <= columns ? text : text.substring(0, columns);
}
