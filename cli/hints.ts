/**
 * What to do about a refusal, printed after it (`  hint: …`, and `"hint"` with --json):
 * one line per status where a person can do something. A hint the flow already knows
 * better (Retry-After seconds, the network error's cause) wins over these.
 */
import type { StatusName } from '../shared/status/codes.ts';
import type { Refusal } from '../bridge/flows/outcome.ts';

/** Who is asking: a paired till (signed requests) or an owner (username and password). */
export type Asker = 'terminal' | 'owner';

const HINTS: Partial<Record<StatusName, string | Record<Asker, string>>> = {
  UNAUTHORIZED: {
    terminal:
      'check the terminal is paired: wristpay bridge pair --force --user MERCHANT (or --code CODE, a new one from /merchant)',
    owner: 'check --user and the password',
  },
  TERMINAL_UNPAIRED:
    'pair again: wristpay bridge pair --force --user MERCHANT (or --code CODE, a new one from /merchant)',
  TERMINAL_SUSPENDED: 'the merchant reviews the terminal on /merchant before it takes payments again',
  RATE_LIMITED: 'wait a little and try again',
  ACCOUNT_LOCKED: 'wait a while and try again; the lock lifts by itself',
  PAY_PASSWORD_BLOCKED: 'the owner unblocks the payment password with the account password',
  NOT_ENROLLED: 'the owner enrolls the band first: wristpay bridge enroll --user NAME',
  LOCKED: 'the wearer unlocks the band: wristpay bridge unlock --user NAME',
  NOT_WORN: 'put the band on the wrist',
  CHARGING: 'take the band off its charger',
  CONFIRMATION_TIMEOUT: 'press the button on the band while it asks',
  TRADE_CLOSED: 'charge under a new --order',
  CONFLICT: 'this order number was used with other terms: charge under a new --order',
  QUOTA_EXCEEDED: 'finish or close the open trades, or wait for them to expire',
  CURRENCY_MISMATCH: "charge in the currency of the payer's card",
  PASSWORD_REQUIRED: 'pay with the payment password: --payer USER (and --password-stdin when not at a terminal)',
  IDENTITY_FULL: 'the band holds 4 sign-in keys: wiping the band removes them all',
  UNKNOWN_CREDENTIAL: 'register the band for sign-in first: wristpay bridge identity register --user NAME',
};

const RADIO_UNREACHABLE =
  'is the band simulator running (wristpay sim start)? or choose a radio with --radio / WRISTPAY_RADIO';

export function hintFor(r: Refusal, asker: Asker = 'owner'): string | undefined {
  if (r.hint) return r.hint;
  if (r.name === 'UNREACHABLE' && r.stage === 'radio')
    return /none of the bands nearby/.test(r.message) ? undefined : RADIO_UNREACHABLE;
  const h = HINTS[r.name as StatusName];
  return typeof h === 'string' ? h : h?.[asker];
}
