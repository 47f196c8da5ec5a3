/**
 * CSRF defence for a form that has no session (and so no CSRF token): the anonymous
 * turn-off form on /lost. OWASP CSRF Prevention Cheat Sheet, "Fetch Metadata headers" and
 * "Verifying origin with standard headers": a browser says where a POST came from, and a
 * cross-site one is refused.
 *
 * - Sec-Fetch-Site, when sent (every current browser), decides: same-origin, or none (typed
 *   or bookmarked), passes.
 * - Otherwise Origin, when sent, must name this host. "null" passes: our pages carry
 *   Referrer-Policy: no-referrer, under which the Fetch standard has a browser send
 *   Origin: null even for our own form.
 * - Neither header: not a browser, so no ambient credentials to abuse (and the form needs
 *   the code anyway).
 *
 * One small function on purpose: a central Origin check for every web POST can replace it.
 */
import type { IncomingMessage } from 'node:http';
import { Status } from '../../../shared/status/codes.ts';
import { refuse } from '../core/errors.ts';

export function requireSameOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') {
    if (site !== 'same-origin' && site !== 'none') refuse(Status.FORBIDDEN, 'this form only works from this site\'s own page');
    return;
  }
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return;
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    host = null;
  }
  if (host !== req.headers.host) refuse(Status.FORBIDDEN, 'this form only works from this site\'s own page');
}
