/**
 * The web pages' replies and cookies, shared by routes.ts and band-login.ts: the session
 * travels in an HttpOnly, SameSite=Strict cookie, and so does everything else a page keeps.
 */
import type { Reply, RequestContext } from '../http/router.ts';

export const COOKIE = 'wp_session';
/**
 * The device token (core/device-tokens.ts) of a browser that signed in before: its password
 * attempts count apart from a stranger's. HttpOnly and SameSite=Strict like the session;
 * Path=/ because the unblock form checks the account password too.
 */
const DEVICE_COOKIE = 'wp_device';

export function htmlReply(body: string, status = 200, headers?: Record<string, string | string[]>): Reply {
  return { status, body, type: 'html', headers };
}

export function redirect(location: string, cookies: string[] = []): Reply {
  return htmlReply('', 303, { location, ...(cookies.length ? { 'set-cookie': cookies } : {}) });
}

export function cookie(c: RequestContext, name: string, shape: RegExp): string | undefined {
  const header = c.req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name && v && shape.test(v)) return v;
  }
  return undefined;
}

export function cookieToken(c: RequestContext): string | undefined {
  return cookie(c, COOKIE, /^[A-Za-z0-9_-]{1,128}$/);
}

export function deviceCookie(c: RequestContext): string | undefined {
  return cookie(c, DEVICE_COOKIE, /^[A-Za-z0-9_.-]{1,256}$/);
}

/** Secure whenever the browser spoke HTTPS (to us or to a trusted proxy), so it never sends them in clear. */
export function cookieAttributes(c: RequestContext): string {
  return `HttpOnly; SameSite=Strict; Path=/${c.secure ? '; Secure' : ''}`;
}

export function deviceCookieHeader(c: RequestContext, token: string): string {
  return `${DEVICE_COOKIE}=${token}; ${cookieAttributes(c)}; Max-Age=${Math.floor(c.checkout.ctx.config.deviceTokenTtlMs / 1000)}`;
}

/** The session cookie for a session that ends at `expiresAt`. */
export function sessionCookieHeader(c: RequestContext, token: string, expiresAt: number): string {
  return `${COOKIE}=${token}; ${cookieAttributes(c)}; Max-Age=${Math.floor((expiresAt - c.checkout.ctx.clock()) / 1000)}`;
}
