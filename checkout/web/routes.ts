/**
 * Routes of the web pages. The session travels in an HttpOnly, SameSite=Strict cookie;
 * every state-changing form carries the session's CSRF token, compared in constant time.
 */
import QRCode from 'qrcode';
import { constantTimeEqual } from '../../shared/crypto/bytes.ts';
import { Status } from '../../shared/status/codes.ts';
import { WristpayError } from '../../shared/status/error.ts';
import { pairingQrText } from '../api/types.ts';
import { salesCsv } from '../report-csv.ts';
import type { Authenticated } from '../core/accounts.ts';
import { accountView } from '../core/accounts.ts';
import { CheckoutError, refuse } from '../core/errors.ts';
import type { RequestContext, Reply, Route } from '../http/router.ts';
import { reportQuery } from '../http/api-routes.ts';
import { httpStatusOf, refusalHeaders } from '../http/status-map.ts';
import { bandLoginStarted } from './band-login.ts';
import {
  COOKIE,
  cookieAttributes,
  cookieToken,
  deviceCookie,
  deviceCookieHeader,
  htmlReply,
  redirect,
  sessionCookieHeader,
} from './cookies.ts';
import { lostPage, newCodePage, turnedOffPage } from './lost-pages.ts';
import type { MerchantReport } from './merchant-report.ts';
import { dashboardPage, loginPage, merchantPage, nav } from './pages.ts';

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
  if (!constantTimeEqual(sent, new TextEncoder().encode(s.session.csrf)))
    refuse(Status.FORBIDDEN, 'the form is stale or came from another site; reload the page');
  return s;
}

/** A merchant's form post: formSession, and FORBIDDEN for an owner's session. */
async function merchantFormSession(c: RequestContext): Promise<Authenticated> {
  const s = await formSession(c);
  if (s.account.kind !== 'merchant') refuse(Status.FORBIDDEN, 'only merchants manage terminals');
  return s;
}

/**
 * The pages run no script (CSP), so an irreversible form carries a box to tick; its
 * `required` attribute is the page's side, this the server's (a form can be sent without it).
 */
function requireConfirmed(c: RequestContext, why: string): void {
  if (form(c).get('confirm') !== 'yes') refuse(Status.MALFORMED, `tick the box to confirm: ${why}`);
}

const web = (method: string, pattern: string, handler: Route['handler']): Route => ({
  method,
  pattern,
  kind: 'web',
  handler,
});

async function dashboard(c: RequestContext): Promise<Reply> {
  const s = await webSession(c);
  if (!s) return redirect('/login');
  if (s.account.kind === 'merchant') return redirect('/merchant');
  const id = s.account.id;
  return htmlReply(
    dashboardPage(
      await c.checkout.me(id),
      s.session.csrf,
      await c.checkout.listBands(id),
      await c.checkout.findBands(id),
      await c.checkout.paymentsOf(id),
      await c.checkout.refundsOf(id),
      await c.checkout.rewardsOf(id),
    ),
  );
}

/** Rows one CSV export may hold; a longer range is refused (narrow it) rather than read unbounded. */
const CSV_MAX_ROWS = 10_000;
/** Rows of each list the page shows; the CSV has the rest. */
const PAGE_ROWS = '50';

async function merchantReport(c: RequestContext, merchantId: string): Promise<MerchantReport> {
  const r = c.checkout.reports.dayRange(reportQuery(c.url));
  const q = { from: String(r.from), to: String(r.to), limit: PAGE_ROWS };
  const days = await c.checkout.reports.dayTotals(merchantId, r);
  const sales = await c.checkout.reports.sales(merchantId, q);
  const refunds = await c.checkout.reports.refunds(merchantId, q);
  return {
    ...r,
    days,
    sales: sales.items,
    moreSales: sales.nextCursor !== null,
    refunds: refunds.items,
    moreRefunds: refunds.nextCursor !== null,
  };
}

export const webRoutes: Route[] = [
  web('GET', '/', async () => redirect('/dashboard')),
  web('GET', '/login', async () => htmlReply(loginPage())),
  web('POST', '/login', async (c) => {
    const f = form(c);
    const username = (f.get('username') ?? '').slice(0, 64);
    try {
      const deviceToken = deviceCookie(c);
      await c.checkout.limits.login(c.client, username, {
        trusted: c.checkout.accounts.trustsDevice(username, deviceToken),
      });
      const s = await c.checkout.login(username, (f.get('password') ?? '').slice(0, 128), deviceToken);
      return redirect(s.account.kind === 'merchant' ? '/merchant' : '/dashboard', [
        sessionCookieHeader(c, s.token, s.expiresAt),
        deviceCookieHeader(c, s.deviceToken),
      ]);
    } catch (e) {
      if (!(e instanceof WristpayError)) throw e;
      // The password is right and the account asks for its band too: the band sign-in page, bound to it.
      if (e instanceof CheckoutError && e.status === Status.BAND_REQUIRED && e.extras.accountId)
        return bandLoginStarted(
          c,
          await c.checkout.identity.startLogin(c.origin, e.extras.accountId),
          e.extras.deviceToken ? [deviceCookieHeader(c, e.extras.deviceToken)] : [],
        );
      return htmlReply(loginPage(e.message, username), httpStatusOf(e.status), refusalHeaders(e));
    }
  }),
  web('POST', '/logout', async (c) => {
    await formSession(c);
    await c.checkout.logout(cookieToken(c) as string);
    return redirect('/login', [`${COOKIE}=; ${cookieAttributes(c)}; Max-Age=0`]);
  }),
  web('GET', '/dashboard', dashboard),
  // Logged in: the dashboard with its switches. Otherwise the turn-off code form.
  web('GET', '/lost', async (c) => ((await webSession(c)) ? dashboard(c) : htmlReply(lostPage()))),
  // Anonymous, so no CSRF token: the same-origin check in http/server.ts is its defence.
  web('POST', '/lost', async (c) => {
    const f = form(c);
    const username = (f.get('username') ?? '').slice(0, 64);
    try {
      return htmlReply(turnedOffPage(await c.checkout.turnOffWithCode(username, (f.get('code') ?? '').slice(0, 32))));
    } catch (e) {
      if (!(e instanceof WristpayError)) throw e;
      const wait = e instanceof CheckoutError ? e.extras.retryAfterMs : undefined;
      return htmlReply(
        lostPage(e.message, username),
        httpStatusOf(e.status),
        wait === undefined ? undefined : { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) },
      );
    }
  }),
  web('POST', '/turn-off-code', async (c) => {
    const s = await formSession(c);
    if (s.account.kind !== 'owner') refuse(Status.FORBIDDEN, 'only owners have bands to turn off');
    return htmlReply(
      newCodePage(await c.checkout.newTurnOffCode(s.account.id), nav(accountView(s.account), s.session.csrf)),
    );
  }),
  web('POST', '/bands/:deviceId/revoke', async (c) => {
    const s = await formSession(c);
    // The page's checkbox is `required`, but a form can be sent without it: confirm here too.
    requireConfirmed(c, 'a band turned off is wiped and must be enrolled again');
    await c.checkout.revokeBand(s.account.id, c.params.deviceId);
    return redirect('/dashboard');
  }),
  web('POST', '/bands/:deviceId/cards/:cardRef/default', async (c) => {
    const s = await formSession(c);
    await c.checkout.setDefaultCard(s.account.id, c.params.deviceId, c.params.cardRef);
    return redirect('/dashboard');
  }),
  web('POST', '/bands/:deviceId/ring', async (c) => {
    const s = await formSession(c);
    const ring = form(c).get('ring');
    if (ring !== 'on' && ring !== 'off') refuse(Status.MALFORMED, 'ring must be on or off');
    await c.checkout.ringBand(s.account.id, c.params.deviceId, ring === 'on');
    return redirect('/dashboard');
  }),
  web('POST', '/payment-password/unblock', async (c) => {
    const s = await formSession(c);
    const out = await c.checkout.unblockPaymentPassword(
      s.account,
      (form(c).get('password') ?? '').slice(0, 128),
      deviceCookie(c),
    );
    return redirect('/dashboard', [deviceCookieHeader(c, out.deviceToken)]);
  }),
  web('GET', '/merchant', async (c) => {
    const s = await webSession(c);
    if (!s) return redirect('/login');
    if (s.account.kind !== 'merchant') return redirect('/dashboard');
    const open = await c.checkout.currentPairingCode(s.account.id);
    let pairing = null;
    if (open) {
      const qrText = pairingQrText(open.code, c.origin);
      pairing = {
        code: open.code,
        expiresAt: open.expiresAt,
        qrText,
        qrSvg: await QRCode.toString(qrText, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
      };
    }
    return htmlReply(
      merchantPage(
        accountView(s.account),
        s.session.csrf,
        pairing,
        await c.checkout.terminals(s.account.id),
        await merchantReport(c, s.account.id),
      ),
    );
  }),
  // A GET with the session cookie (SameSite=Strict): a download link, nothing changes.
  web('GET', '/merchant/sales.csv', async (c) => {
    const s = await webSession(c);
    if (!s) return redirect('/login');
    if (s.account.kind !== 'merchant') refuse(Status.FORBIDDEN, 'only merchants have sales');
    const r = c.checkout.reports.dayRange(reportQuery(c.url));
    const sales = await c.checkout.reports.allSales(
      s.account.id,
      { from: String(r.from), to: String(r.to) },
      CSV_MAX_ROWS,
    );
    // A web reply (its refusals render as pages) whose content type the headers override.
    return {
      status: 200,
      type: 'html',
      body: salesCsv(sales),
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="sales-${r.fromText}-to-${r.toText}.csv"`,
      },
    };
  }),
  web('POST', '/merchant/terminals/:terminalId/rename', async (c) => {
    const s = await merchantFormSession(c);
    await c.checkout.renameTerminal(s.account.id, c.params.terminalId, (form(c).get('name') ?? '').slice(0, 65));
    return redirect('/merchant');
  }),
  web('POST', '/merchant/terminals/:terminalId/unpair', async (c) => {
    const s = await merchantFormSession(c);
    requireConfirmed(c, 'an unpaired terminal can never take payments again');
    await c.checkout.unpairTerminal(s.account.id, c.params.terminalId);
    return redirect('/merchant');
  }),
  web('POST', '/merchant/pairing-code', async (c) => {
    const s = await merchantFormSession(c);
    await c.checkout.createPairingCode(s.account.id);
    return redirect('/merchant');
  }),
  web('POST', '/merchant/terminals/:terminalId/lift-suspension', async (c) => {
    const s = await merchantFormSession(c);
    requireConfirmed(c, 'you checked this terminal');
    await c.checkout.liftTerminalSuspension(s.account.id, c.params.terminalId);
    return redirect('/merchant');
  }),
];
