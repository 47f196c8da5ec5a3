/**
 * "Sign in with your band" on /login and /lost (docs/CHECKOUT.md "Sign in with your band").
 * The pages run no script, so the browser waits on a page that reloads itself (the Refresh
 * header) and shows the code; the owner types `wristpay bridge identity login CODE` at any
 * bridge with the band; the next reload takes the session. The browser proves it started the
 * sign-in with a secret in its own cookie: someone who only saw the code gets nothing.
 */
import { Status } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import type { StartedLogin } from '../core/identity-login.ts';
import type { Reply, RequestContext, Route } from '../http/router.ts';
import { httpStatusOf } from '../http/status-map.ts';
import { cookie, cookieAttributes, htmlReply, redirect, sessionCookieHeader } from './cookies.ts';
import { html, page, when } from './html.ts';
import { loginPage } from './pages.ts';

const BAND_COOKIE = 'wp_band';
/** Seconds between the waiting page's reloads. */
const RELOAD_S = 2;

function cleared(c: RequestContext): string {
  return `${BAND_COOKIE}=; ${cookieAttributes(c)}; Max-Age=0`;
}

/** The browser that started a sign-in goes to its waiting page, holding the sign-in's secret. */
export function bandLoginStarted(c: RequestContext, started: StartedLogin, cookies: string[]): Reply {
  const ttl = Math.max(1, Math.floor((started.expiresAt - c.checkout.ctx.clock()) / 1000));
  return redirect('/login/band', [
    ...cookies,
    `${BAND_COOKIE}=${started.ceremonyId}.${started.secret}; ${cookieAttributes(c)}; Max-Age=${ttl}`,
  ]);
}

export function bandWaitingPage(code: string, expiresAt: number): string {
  return page(
    'Sign in with your band',
    html`
    <p>Wear your band, unlocked, and at any wristpay bridge run:</p>
    <p><code id="band-command">wristpay bridge identity login ${code}</code></p>
    <p class="code" id="band-code">${code}</p>
    <p>Press the band's button when it shows this site. This page continues by itself
      (until ${when(expiresAt)}). <a href="/login/band">Check now</a> · <a href="/login">Cancel</a></p>`,
  );
}

const web = (method: string, pattern: string, handler: Route['handler']): Route => ({
  method,
  pattern,
  kind: 'web',
  handler,
});

export const bandLoginRoutes: Route[] = [
  // Anonymous, so no CSRF token: the same-origin check in http/server.ts is its defence.
  web('POST', '/login/band', async (c) => {
    try {
      await c.checkout.limits.bandLogin(c.client);
      return bandLoginStarted(c, await c.checkout.identity.startLogin(c.origin, null), []);
    } catch (e) {
      if (!(e instanceof WristpayError)) throw e;
      return htmlReply(loginPage(e.message), httpStatusOf(e.status));
    }
  }),
  web('GET', '/login/band', async (c) => {
    const held = cookie(c, BAND_COOKIE, /^[a-z]+_[a-z2-7]+\.[A-Za-z0-9_-]{43}$/);
    if (!held) return redirect('/login');
    const [ceremonyId, secret] = held.split('.');
    try {
      const s = await c.checkout.identity.takeLogin(ceremonyId, secret);
      if (s.state === 'waiting')
        return htmlReply(bandWaitingPage(s.code, s.expiresAt), 200, { refresh: String(RELOAD_S) });
      const to = s.session.account.kind === 'merchant' ? '/merchant' : '/dashboard';
      return redirect(to, [sessionCookieHeader(c, s.session.token, s.session.expiresAt), cleared(c)]);
    } catch (e) {
      if (!(e instanceof WristpayError)) throw e;
      const why = e.status === Status.REPLAYED ? 'That sign-in is over; start again.' : e.message;
      return htmlReply(loginPage(why), httpStatusOf(e.status), { 'set-cookie': [cleared(c)] });
    }
  }),
];
