/**
 * Host-only rendering of status codes: the one sentence per code that the CLI prints and
 * docs/PROTOCOL.md lists. Kept out of ./codes.ts because that file is bundled into the
 * band image, where these sentences would cost ~3 KB of the 48 KiB budget and are never
 * shown (the band reports bare codes). Firmware must not import this file.
 */
import { type StatusName, statusName } from './codes.ts';

/** One sentence per code: what the CLI prints after the name, and what docs/PROTOCOL.md lists. */
export const statusMeaning: Readonly<Record<StatusName, string>> = {
  OK: 'The request succeeded.',
  MALFORMED: 'The message is not well-formed: bad CBOR, a missing or mistyped field, or trailing bytes.',
  UNSUPPORTED_VERSION: 'The message names a protocol version this side does not speak.',
  OVERSIZE: 'The message or frame is larger than the negotiated maximum.',
  INVALID_SEQUENCE: 'A continuation fragment arrived out of order or without a first fragment.',
  REASSEMBLY_TIMEOUT: 'The rest of a fragmented message did not arrive in time.',
  UNKNOWN_COMMAND: 'The frame command or message type is not one this side knows.',
  DECRYPT_FAILED: 'The sealed envelope did not open: wrong key, or it was altered in transit.',
  BAD_SIGNATURE: 'A signature did not verify, or is malformed or not in canonical low-S form.',
  INVALID_KEY: 'A public key is malformed or not a point on the P-256 curve.',
  CHANNEL_BUSY: 'Another message is still being reassembled on this link.',
  NOT_WORN: 'The band is not on a wrist.',
  LOCKED: 'The band is worn but has not been unlocked since it was put on.',
  EXPIRED: 'The challenge, grant or session is past its expiry.',
  REPLAYED: 'This nonce or challenge has been used before.',
  LIMIT_EXCEEDED: 'The amount is above the password-free limit and was not confirmed.',
  CONFIRMATION_TIMEOUT: 'Nobody pressed the band button within the confirmation window.',
  CARD_NOT_FOUND: 'The band holds no card with that reference.',
  WALLET_FULL: 'The band already holds the maximum of 8 cards.',
  REVOKED: 'The band has been turned off for payments by its owner.',
  BUSY: 'The band is already handling another request.',
  CHARGING: 'The band is on its charger; payments are off while charging.',
  BACKOFF: 'Too many failed unlock attempts; wait before trying again.',
  NOT_ENROLLED: 'The band has not been enrolled with a checkout yet.',
  ALREADY_ENROLLED: 'The band is already enrolled; wipe it before enrolling again.',
  INSUFFICIENT_BALANCE: 'The transit card balance does not cover the fare.',
  FARE_CAP_EXCEEDED: "The fare is above the transit city's cap for express mode.",
  WRONG_DEVICE: 'The challenge was made for a different band.',
  STORAGE_CORRUPT: 'A flash record failed its checksum and was not trusted.',
  CONFIRMATION_REQUIRED: 'Waiting for the wearer to press the band button.',
  PROCESSING: 'The band is working on the request.',
  DECLINED_BY_USER: 'The wearer declined the payment on the band.',
  ALREADY_UNLOCKED: 'The band is already unlocked for this wear; it needs no unlock grant.',
  IDENTITY_FULL: 'The band holds as many sign-in keys as it can; remove one (a wipe removes all) first.',
  UNKNOWN_CREDENTIAL: 'No sign-in key for this site: the band has none, or the checkout does not know it.',
  CLAIM_MISMATCH: 'A claim in the payment token does not match the trade.',
  UNKNOWN_DEVICE: 'The checkout has no enrolled band with that identity.',
  UNAUTHORIZED: 'Authentication is missing or wrong.',
  FORBIDDEN: 'The authenticated party may not act on this resource.',
  NOT_FOUND: 'No such resource.',
  CONFLICT: 'The request conflicts with the current state (for example an order number reused with other terms).',
  ACCOUNT_LOCKED: 'Too many failed password attempts; the account is locked for a while.',
  PASSWORD_REQUIRED: 'No band can sign; the payment password is needed.',
  TRADE_CLOSED: 'The trade is closed or already settled.',
  REFUND_EXCEEDS_PAID: 'The refund would exceed the amount paid.',
  COUNTER_NOT_INCREASING: 'The token counter is not above the last one seen for this card.',
  PAYLOAD_TOO_LARGE: 'The request body is larger than the server accepts.',
  RATE_LIMITED:
    'Too many requests from this client or for this account; retry after the time given (HTTP Retry-After).',
  PAY_PASSWORD_BLOCKED: 'Too many wrong payment passwords; the owner must unblock it with the account password.',
  TERMINAL_UNPAIRED: 'The terminal has been unpaired by its merchant; pair it again with a new code.',
  TERMINAL_SUSPENDED: 'The terminal is suspended after too many wrong payment passwords; its merchant must review it.',
  QUOTA_EXCEEDED: 'A per-terminal or per-account quota (open trades, sessions, challenges) is used up.',
  CURRENCY_MISMATCH: "No card in the trade's currency can pay it.",
  TRADE_NOT_PAID: 'The trade has not been paid, so there is nothing to refund.',
  FIND_REQUESTED: "The band's owner is looking for it: it rings instead of paying.",
  BAND_REQUIRED: 'The password is right, and this account also asks for its band: sign in with the band.',
  UNREACHABLE: 'The band or server could not be reached.',
  TIMEOUT: 'The operation timed out.',
  INTERNAL: 'An internal error; nothing was changed.',
};

/** "NAME (0xNN): sentence" — the one human rendering of a status. */
export function describeStatus(code: number): string {
  const name = statusName(code);
  if (name === undefined) return 'UNKNOWN (0x' + code.toString(16) + '): not a wristpay status code.';
  // No padStart, as in the rest of shared/ (this file itself is host-only).
  const hex = code.toString(16);
  return name + ' (0x' + (hex.length < 2 ? '0' + hex : hex) + '): ' + statusMeaning[name];
}
