/**
 * CSRF defence for every state-changing web form, login included (issue 11, finding 8:
 * a cross-site POST /login planted the attacker's session in the victim's browser, so
 * the victim's cards and bands would be added to the attacker's account). Checked once
 * in server.ts for every web route that changes state, before the body is read, following
 * the OWASP CSRF Prevention Cheat Sheet:
 *
 *   - Fetch Metadata ("Fetch Metadata headers"): `Sec-Fetch-Site` must be `same-origin`
 *     or `none` (the user's own navigation); `same-site` and `cross-site` are refused.
 *   - Standard headers ("Verifying Origin With Standard Headers"): `Origin`, when sent,
 *     must be the checkout's own origin; `null` (sandboxed frames, privacy redirects) is
 *     not.
 *   - Neither header: refused. The cheat sheet leaves this to the site and recommends
 *     blocking; every browser that can run the pages sends `Origin` on a POST (Chromium 79+,
 *     Firefox 70+, Safari 12+), and clients without a browser (curl, the CLI) use the JSON
 *     API with bearer tokens, which carries no ambient credentials and needs no such check.
 *
 * The checkout's own origin is its public URL, the address it is bound to, or the Host the
 * request was made to when that Host is a loopback name (a developer opening
 * http://localhost:8420 while the checkout reports http://127.0.0.1:8420). Any other Host
 * is not trusted to describe us: a DNS-rebinding page's Host and Origin agree with each other.
 * The scheme of that loopback origin is the one the request came over (`secure`: TLS here or
 * at a trusted proxy, proxy-trust.ts): an http:// page is another origin than the https://
 * one it imitates (RFC 6454 §4), and a network attacker can write the http:// one.
 *
 * The per-session CSRF token (web/routes.ts) stays on the logged-in forms: a second,
 * independent check ("defense in depth" in the same cheat sheet).
 */
import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import { Status } from '../../shared/status/codes.ts';
import { refuse } from '../core/errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** FORBIDDEN unless a state-changing request provably comes from one of our own pages. */
export function requireSameOrigin(req: IncomingMessage, ownOrigins: readonly string[], secure: boolean): void {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return;
  const site = single(req.headers['sec-fetch-site']);
  const origin = single(req.headers.origin);
  if (site === undefined && origin === undefined)
    refuse(Status.FORBIDDEN, 'a form post must come from a browser on this site (no Origin or Sec-Fetch-Site header)');
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    refuse(Status.FORBIDDEN, `a form post from another site (Sec-Fetch-Site: ${site}) is refused`);
  if (origin === undefined) return;
  const allowed = [...ownOrigins];
  const host = single(req.headers.host);
  if (host !== undefined && isLoopbackHost(host)) allowed.push(`${secure ? 'https' : 'http'}://${host.toLowerCase()}`);
  if (!allowed.includes(origin.toLowerCase()))
    refuse(Status.FORBIDDEN, `a form post from another origin (${origin.slice(0, 100)}) is refused`);
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function isLoopbackHost(host: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(host);
  if (!m) return false;
  const name = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  if (name.toLowerCase() === 'localhost') return true;
  return ipaddr.isValid(name) && ipaddr.process(name).range() === 'loopback';
}

/** The origin (scheme://host[:port], lower case) of a URL. */
export function originOf(url: string): string {
  return new URL(url).origin.toLowerCase();
}
