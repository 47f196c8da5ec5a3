/**
 * Routes of the web pages. The session travels in an HttpOnly, SameSite=Strict cookie;
 * every state-changing form carries the session's CSRF token, compared in constant time.
 */
import QRCode from 'qrcode';
import { constantTimeEqual } from '../../../shared/crypto/bytes.ts';
import { Status } from '../../../shared/status/codes.ts';
import { WristpayError } from '../../../shared/status/error.ts';
import { pairingQrText } from '../api-types.ts';
import type { Authenticated } from '../core/accounts.ts';
import { accountView } from '../core/accounts.ts';
import { refuse } from '../core/errors.ts';
import type { RequestContext, Reply, Route } from '../http/router.ts';
import { clientAddress } from '../http/client-address.ts';
import { httpStatusOf, refusalHeaders } from '../http/status-map.ts';
import { dashboardPage, loginPage, merchantPage } from './pages.ts';

const COOKIE = 'wp_session';

function htmlReply(body: string, status = 200, headers?: Record<string, string>): Reply {
  return { status, body, type: 'html', headers };
}

function redirect(location: string, cookie?: string): Reply {
  return htmlReply('', 303, { location, ...(cookie ? { 'set-cookie': cookie } : {}) });
}

function cookieToken(c: RequestContext): string | undefined {
  const header = c.req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE && v && /^[A-Za-z0-9_-]{1,128}$/.test(v)) return v;
  }
  return undefined;
}

function form(c: RequestContext): URLSearchParams {
  return new URLSearchParams(Buffer.from(c.body).toString('utf8'));
}

async function webSession(c: RequestContext): Promise<Authenticated | null> {
  try {
    return await c.checkout.authenticate(cookieToken(c));
  } catch (e) {
    if (e instanceof WristpayError && e.status === Status.UNAUTHORIZED) return null;
    throw e;
  }
}

/** The session of a form post, with its CSRF token checked; FORBIDDEN on a mismatch. */
async function formSession(c: RequestContext): Promise<Authenticated> {
  const s = await webSession(c);
  if (!s) refuse(Status.UNAUTHORIZED, 'log in first');
  const sent = new TextEncoder().encode(form(c).get('csrf') ?? '');
  if (!constantTimeEqual(sent, new TextEncoder().encode(s.session.csrf))) refuse(Status.FORBIDDEN, 'the form is stale or came from another site; reload the page');
  return s;
}

const web = (method: string, pattern: string, handler: Route['handler']): Route => ({ method, pattern, kind: 'web', handler });

async function dashboard(c: RequestContext): Promise<Reply> {
  const s = await webSession(c);
  if (!s) return redirect('/login');
  if (s.account.kind === 'merchant') return redirect('/merchant');
  const id = s.account.id;
  return htmlReply(dashboardPage(accountView(s.account), s.session.csrf, await c.checkout.listBands(id), await c.checkout.paymentsOf(id), await c.checkout.refundsOf(id)));
}

export const webRoutes: Route[] = [
  web('GET', '/', async () => redirect('/dashboard')),
  web('GET', '/login', async () => htmlReply(loginPage())),
  web('POST', '/login', async (c) => {
    const f = form(c);
    const username = (f.get('username') ?? '').slice(0, 64);
    try {
      await c.checkout.limits.login(clientAddress(c.req), username);
      const s = await c.checkout.login(username, (f.get('password') ?? '').slice(0, 128));
      const cookie = `${COOKIE}=${s.token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor((s.expiresAt - c.checkout.ctx.clock()) / 1000)}`;
      return redirect(s.account.kind === 'merchant' ? '/merchant' : '/dashboard', cookie);
    } catch (e) {
      if (!(e instanceof WristpayError)) throw e;
      return htmlReply(loginPage(e.message, username), httpStatusOf(e.status), refusalHeaders(e));
    }
  }),
  web('POST', '/logout', async (c) => {
    await formSession(c);
    await c.checkout.logout(cookieToken(c) as string);
    return redirect('/login', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
  }),
  web('GET', '/dashboard', dashboard),
  web('GET', '/lost', dashboard),
  web('POST', '/bands/:deviceId/revoke', async (c) => {
    const s = await formSession(c);
    await c.checkout.revokeBand(s.account.id, c.params.deviceId);
    return redirect('/dashboard');
  }),
  web('GET', '/merchant', async (c) => {
    const s = await webSession(c);
    if (!s) return redirect('/login');
    if (s.account.kind !== 'merchant') return redirect('/dashboard');
    const open = await c.checkout.currentPairingCode(s.account.id);
    let pairing = null;
    if (open) {
      const qrText = pairingQrText(open.code, c.origin);
      pairing = { code: open.code, expiresAt: open.expiresAt, qrText, qrSvg: await QRCode.toString(qrText, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) };
    }
    return htmlReply(merchantPage(accountView(s.account), s.session.csrf, pairing, await c.checkout.terminals(s.account.id)));
  }),
  web('POST', '/merchant/pairing-code', async (c) => {
    const s = await formSession(c);
    if (s.account.kind !== 'merchant') refuse(Status.FORBIDDEN, 'only merchants pair terminals');
    await c.checkout.createPairingCode(s.account.id);
    return redirect('/merchant');
  }),
];
