/**
 * Device tokens: OWASP "Slow Down Online Guessing Attacks with Device Cookies"
 * (https://owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies).
 * A client that signed in successfully gets one; with it, its password attempts count
 * against the token's own small limit instead of the account's, so a stranger failing
 * from elsewhere cannot keep the owner out (issue 11, finding 3).
 *
 * "d1.<nonce>.<issuedAt>.<mac>": nonce 16 random bytes (base64url), issuedAt epoch ms,
 * mac = HMAC-SHA256(checkout's device key, "wristpay/1 device\n" username "\n" nonce "\n"
 * issuedAt). The username is bound by the MAC, not carried: a token is worth nothing for
 * another account. Stateless; the nonce names the token's attempt counter.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Ctx } from './context.ts';
import { fromBase64Url, toBase64Url } from '../api/base64url.ts';

/** Tokens are issued by this clock; a little slack for checkout processes whose clocks differ. */
const CLOCK_SLACK_MS = 5 * 60_000;
const FORMAT = /^d1\.([A-Za-z0-9_-]{22})\.([0-9]{1,15})\.([A-Za-z0-9_-]{43})$/;

function mac(key: Uint8Array, username: string, nonce: string, issuedAt: number): Buffer {
  return createHmac('sha256', key).update(`wristpay/1 device\n${username}\n${nonce}\n${issuedAt}`, 'utf8').digest();
}

/**
 * A token for `username`. Reissued after every successful sign-in; a client that came
 * with a valid token keeps its nonce (and so its counter: one row per device, not per login).
 */
export function issueDeviceToken(ctx: Ctx, username: string, keepNonce?: string): string {
  const nonce = keepNonce ?? toBase64Url(ctx.provider.randomBytes(16));
  const issuedAt = ctx.clock();
  return `d1.${nonce}.${issuedAt}.${toBase64Url(mac(ctx.keys.deviceTokenKey, username, nonce, issuedAt))}`;
}

/** The token's nonce when it is well formed, unexpired and signed by us for `username`; else null (an untrusted client). */
export function verifyDeviceToken(ctx: Ctx, username: string, token: string | undefined): string | null {
  if (!token) return null;
  const m = FORMAT.exec(token);
  if (!m) return null;
  const [, nonce, issued, sent] = m;
  const issuedAt = Number(issued);
  const now = ctx.clock();
  if (issuedAt > now + CLOCK_SLACK_MS || now - issuedAt > ctx.config.deviceTokenTtlMs) return null;
  const sentMac = fromBase64Url(sent);
  const expected = mac(ctx.keys.deviceTokenKey, username, nonce, issuedAt);
  if (!sentMac || sentMac.length !== expected.length) return null;
  return timingSafeEqual(sentMac, expected) ? nonce : null;
}
