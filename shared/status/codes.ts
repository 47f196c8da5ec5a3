/**
 * The one table of status codes shared by band, bridge and checkout.
 *
 * Every refusal anywhere in wristpay carries one of these values. The numeric
 * values are part of the wire protocol (error frames, answers, HTTP bodies) and
 * must never be renumbered; add new codes at the end of their range.
 *
 * Ranges: 0x00 ok · 0x01–0x1f protocol/framing · 0x20–0x3f band policy ·
 * 0x40–0x5f checkout/ledger · 0x60–0x7f host/transport · 0x7f internal.
 *
 * This file is bundled into the band image, so it holds only what the firmware needs.
 * The human sentences (`statusMeaning`, `describeStatus`) are host-only and live in
 * ./describe.ts, which the image never imports (they were ~3 KB of the image).
 */
export const Status = {
  OK: 0x00,
  MALFORMED: 0x01,
  UNSUPPORTED_VERSION: 0x02,
  OVERSIZE: 0x03,
  INVALID_SEQUENCE: 0x04,
  REASSEMBLY_TIMEOUT: 0x05,
  UNKNOWN_COMMAND: 0x06,
  DECRYPT_FAILED: 0x07,
  BAD_SIGNATURE: 0x08,
  INVALID_KEY: 0x09,
  CHANNEL_BUSY: 0x0a,
  NOT_WORN: 0x20,
  LOCKED: 0x21,
  EXPIRED: 0x22,
  REPLAYED: 0x23,
  LIMIT_EXCEEDED: 0x24,
  CONFIRMATION_TIMEOUT: 0x25,
  CARD_NOT_FOUND: 0x26,
  WALLET_FULL: 0x27,
  REVOKED: 0x28,
  BUSY: 0x29,
  CHARGING: 0x2a,
  BACKOFF: 0x2b,
  NOT_ENROLLED: 0x2c,
  ALREADY_ENROLLED: 0x2d,
  INSUFFICIENT_BALANCE: 0x2e,
  FARE_CAP_EXCEEDED: 0x2f,
  WRONG_DEVICE: 0x30,
  STORAGE_CORRUPT: 0x31,
  CONFIRMATION_REQUIRED: 0x32,
  PROCESSING: 0x33,
  DECLINED_BY_USER: 0x34,
  ALREADY_UNLOCKED: 0x35,
  IDENTITY_FULL: 0x36,
  UNKNOWN_CREDENTIAL: 0x37,
  CLAIM_MISMATCH: 0x40,
  UNKNOWN_DEVICE: 0x41,
  UNAUTHORIZED: 0x42,
  FORBIDDEN: 0x43,
  NOT_FOUND: 0x44,
  CONFLICT: 0x45,
  ACCOUNT_LOCKED: 0x46,
  PASSWORD_REQUIRED: 0x47,
  TRADE_CLOSED: 0x48,
  REFUND_EXCEEDS_PAID: 0x49,
  COUNTER_NOT_INCREASING: 0x4a,
  PAYLOAD_TOO_LARGE: 0x4b,
  RATE_LIMITED: 0x4c,
  PAY_PASSWORD_BLOCKED: 0x4d,
  TERMINAL_UNPAIRED: 0x4e,
  TERMINAL_SUSPENDED: 0x4f,
  QUOTA_EXCEEDED: 0x50,
  CURRENCY_MISMATCH: 0x51,
  TRADE_NOT_PAID: 0x52,
  FIND_REQUESTED: 0x53,
  BAND_REQUIRED: 0x54,
  UNREACHABLE: 0x60,
  TIMEOUT: 0x61,
  INTERNAL: 0x7f,
} as const;

export type StatusName = keyof typeof Status;
export type StatusCode = (typeof Status)[StatusName];

// Built on first use, not at load: the band image never asks for names, and a table
// built at load time would keep every name in the image.
let nameByCode: { [code: number]: StatusName } | null = null;

/** The name of a status code, or undefined for a value outside the table. */
export function statusName(code: number): StatusName | undefined {
  if (nameByCode === null) {
    nameByCode = {};
    for (const name of Object.keys(Status) as StatusName[]) nameByCode[Status[name]] = name;
  }
  return nameByCode[code];
}

/**
 * The defined codes as runs of consecutive values, first and last of each run. This is
 * what lets isStatusCode (the one thing the band image uses from this file) work without
 * the names: the image build turns `Status.X` into numbers and drops the table (~650
 * bytes). A code added at the end of a range must move that run's end;
 * test/image/status-codes.test.ts checks the runs against the table.
 */
const RUNS: readonly number[] = [
  Status.OK,
  Status.CHANNEL_BUSY,
  Status.NOT_WORN,
  Status.UNKNOWN_CREDENTIAL,
  Status.CLAIM_MISMATCH,
  Status.BAND_REQUIRED,
  Status.UNREACHABLE,
  Status.TIMEOUT,
  Status.INTERNAL,
  Status.INTERNAL,
];

/** True for a number that is a defined status code. */
export function isStatusCode(code: unknown): code is StatusCode {
  if (typeof code !== 'number' || Math.floor(code) !== code) return false;
  for (let i = 0; i < RUNS.length; i += 2) if (code >= RUNS[i] && code <= RUNS[i + 1]) return true;
  return false;
}
