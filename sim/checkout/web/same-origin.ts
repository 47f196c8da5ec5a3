/**
 * CSRF defence for a form that has no session (and so no CSRF token): the anonymous
 * turn-off form on /lost. OWASP CSRF Prevention Cheat Sheet, "Fetch Metadata" and "Verifying
 * origin with standard headers": a browser says where a POST came from; a cross-site one is
 * refused. A client that sends neither header is not a browser, so it has no ambient
 * credentials to abuse (and the form needs the code anyway).
 *
 * One small function on purpose: a central Origin check for every web POST can replace it.
 */
import type { IncomingMessage } from 'node:http';
import { Status } from '../../../shared/status/codes.ts';
import { refuse } from '../core/errors.ts';

export function requireSameOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  // 'none': the user typed or bookmarked the URL; 'same-origin': our own page.
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') refuse(Status.FORBIDDEN, 'this form only works from this site\'s own page');
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string | null = null;
  try {
    host = origin === 'null' ? null : new URL(origin).host;
  } catch {
    host = null;
  }
  if (host === null || host !== req.headers.host) refuse(Status.FORBIDDEN, 'this form only works from this site\'s own page');
}
