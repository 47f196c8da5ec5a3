/**
 * The pages: login, the owner's dashboard (bands with the lost-band switch and where each
 * was last seen, cards, payments, refunds) and the merchant's page (pairing code as text and
 * QR code).
 * Pure functions from data to HTML; the routes fetch the data.
 */
import type { AccountView } from '../core/accounts.ts';
import type { TerminalView } from '../core/merchants.ts';
import type { FoundBandView, RewardsView } from '../api/views.ts';
import {
  type BandView,
  type CardView,
  type OwnerPaymentView,
  type PaymentView,
  type RefundView,
  formatAmount,
} from '../core/views.ts';
import { type Html, html, page, trusted, when } from './html.ts';
import { findSection } from './find-section.ts';
import { type MerchantReport, reportSection } from './merchant-report.ts';
import { rewardsSection } from './rewards-section.ts';

export function nav(account: AccountView, csrf: string): Html {
  return html`<form method="post" action="/logout"><span>${account.displayName}</span>
    <input type="hidden" name="csrf" value="${csrf}"> <button type="submit">Log out</button></form>`;
}

export function loginPage(error?: string, username = ''): string {
  return page(
    'Log in',
    html`
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <form method="post" action="/login">
      <label>Username <input name="username" autocomplete="username" value="${username}" required></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Log in</button>
    </form>
    <form method="post" action="/login/band" id="band-login">
      <button type="submit">Sign in with your band</button>
      <small>No password: your worn, unlocked band signs you in at any wristpay bridge.</small>
    </form>`,
  );
}

/**
 * A band with its switch. The full device id is shown (selectable in one click) because
 * `wristpay owner revoke` needs it. Turning off cannot be undone, so the form needs a ticked
 * box, checked again by the server (no script is allowed by the page CSP). A band that is
 * off pays with none of its cards, so they say "off" whatever state they were left in.
 */
function bandSection(b: BandView, found: FoundBandView | undefined, csrf: string): Html {
  const active = b.status === 'active';
  const label = active
    ? 'Wrist payments on'
    : b.status === 'revoked'
      ? 'Wrist payments turned off (wipe pending)'
      : 'Turned off and wiped';
  return html`<section class="band" data-device-id="${b.deviceId}">
    <h3>${b.name}</h3>
    <p>Device id <code class="device-id" title="Device id">${b.deviceId}</code></p>
    <p class="status-${b.status}" data-status="${b.status}">${label}${b.revokedAt ? html` since ${when(b.revokedAt)}` : ''}</p>
    ${findSection(found, csrf)}
    ${
      active
        ? html`<form method="post" action="/bands/${b.deviceId}/revoke">
        <input type="hidden" name="csrf" value="${csrf}">
        <label><input type="checkbox" name="confirm" value="yes" required> Turn it off for good: it is wiped the next time a terminal sees it</label>
        <button class="danger" type="submit">Turn off wrist payments</button>
        <small>Lost your band? This stops it paying at once, and wipes it the next time any terminal sees it.</small>
      </form>`
        : ''
    }
    <h4>Cards</h4>
    ${
      b.cards.length === 0
        ? html`<p>No cards.</p>`
        : html`<table class="cards"><tr><th>Card</th><th>Last 4</th><th>State</th><th>Default</th></tr>
      ${b.cards.map(
        (
          c,
        ) => html`<tr data-card-ref="${c.cardRef}"><td>${c.issuer}${c.city ? html` (${c.city})` : ''}${c.isDefault ? ' · default' : ''}</td>
        <td>•••• ${c.last4}</td><td data-state="${active ? c.state : 'off'}">${active ? c.state : 'off'}</td>
        <td class="default">${defaultCell(b, c, active, csrf)}</td></tr>`,
      )}</table>`
    }
  </section>`;
}

/**
 * The default card of each kind (bank, transit) is the one the band shows first at the tap; the
 * checkout alone holds it, so the owner sets it here with no band nearby.
 */
function defaultCell(b: BandView, c: CardView, active: boolean, csrf: string): Html {
  if (c.isDefault) return html`<span data-default="${c.kind}">Default ${c.kind} card</span>`;
  if (!active || c.state !== 'active') return html``;
  return html`<form method="post" action="/bands/${b.deviceId}/cards/${c.cardRef}/default">
        <input type="hidden" name="csrf" value="${csrf}">
        <button type="submit" aria-label="Make ${c.issuer} •••• ${c.last4} the default ${c.kind} card">Make default</button></form>`;
}

/** Shown only while blocked: the account password unblocks the payment password (core/pay-password.ts). */
function payPasswordSection(account: AccountView, csrf: string): Html {
  if (!account.paymentPasswordBlocked) return html``;
  return html`<section id="payment-password" class="band">
    <p class="error" role="alert">Your payment password is blocked after too many wrong tries at terminals.
      If those were not you, someone may be guessing it.</p>
    <form method="post" action="/payment-password/unblock"><input type="hidden" name="csrf" value="${csrf}">
      <label>Account password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Unblock payment password</button></form>
  </section>`;
}

export function dashboardPage(
  account: AccountView,
  csrf: string,
  bands: BandView[],
  found: FoundBandView[],
  payments: OwnerPaymentView[],
  refunds: RefundView[],
  rewards: RewardsView,
): string {
  return page(
    'Your bands',
    html`
    ${payPasswordSection(account, csrf)}
    <h2 id="bands">Bands</h2>
    ${
      bands.length === 0
        ? html`<p>No band is enrolled yet.</p>`
        : bands.map((b) =>
            bandSection(
              b,
              found.find((f) => f.deviceId === b.deviceId),
              csrf,
            ),
          )
    }
    <h2>Turn-off code</h2>
    <form method="post" action="/turn-off-code"><input type="hidden" name="csrf" value="${csrf}">
      <button type="submit">New turn-off code</button>
      <small>Turns your bands off at /lost without your password. A new one replaces the old.</small></form>
    <h2>Payments</h2>
    ${
      payments.length === 0
        ? html`<p>No payments yet.</p>`
        : html`<table id="payments"><tr><th>When</th><th>Merchant</th><th>Amount</th><th>How</th><th>Card</th></tr>
      ${payments.map(
        (
          p,
        ) => html`<tr><td>${when(p.paidAt)}</td><td class="merchant">${p.merchantName}</td><td>${formatAmount(p.amount, p.currency)}</td><td>${p.method}</td>
        <td>${p.card ? `${p.card.issuer} •••• ${p.card.last4}${p.card.city ? ` (${p.card.city})` : ''}` : ''}</td></tr>`,
      )}</table>`
    }
    <h2>Refunds</h2>
    ${
      refunds.length === 0
        ? html`<p>No refunds.</p>`
        : html`<table id="refunds"><tr><th>When</th><th>Amount</th><th>Reason</th></tr>
      ${refunds.map((r) => html`<tr><td>${when(r.createdAt)}</td><td>${formatAmount(r.amount, currencyOf(payments, r.tradeNo))}</td><td>${r.reason}</td></tr>`)}</table>`
    }
    ${rewardsSection(rewards)}
  `,
    nav(account, csrf),
  );
}

function currencyOf(payments: PaymentView[], tradeNo: string): string {
  const p = payments.find((x) => x.tradeNo === tradeNo);
  return p ? p.currency : '';
}

export interface PairingDisplay {
  code: string;
  expiresAt: number;
  qrSvg: string;
  qrText: string;
}

export function merchantPage(
  account: AccountView,
  csrf: string,
  pairing: PairingDisplay | null,
  terminals: TerminalView[],
  report: MerchantReport,
): string {
  return page(
    'Merchant',
    html`
    <h2>Pair a terminal</h2>
    ${
      pairing
        ? html`<p>Enter this code on the terminal, or scan it. It works once, until ${when(pairing.expiresAt)}.</p>
      <p class="code" id="pairing-code">${pairing.code}</p>
      <div class="qr" id="pairing-qr" data-qr-text="${pairing.qrText}">${trusted(pairing.qrSvg)}</div>`
        : html`<p>No pairing code is open.</p>`
    }
    <form method="post" action="/merchant/pairing-code"><input type="hidden" name="csrf" value="${csrf}">
      <button type="submit">New pairing code</button></form>
    <h2>Terminals</h2>
    ${
      terminals.length === 0
        ? html`<p>No terminal is paired yet.</p>`
        : html`<table id="terminals"><tr><th>Name</th><th>Id</th><th>Paired</th><th>State</th><th></th></tr>
      ${terminals.map((t) => terminalRow(t, csrf))}</table>`
    }
    ${reportSection(report)}
  `,
    nav(account, csrf),
  );
}

/**
 * A terminal with rename and unpair. Unpairing is permanent, so its form needs a ticked
 * confirmation box (checked again by the server): no script is allowed by the page CSP.
 */
function terminalRow(t: TerminalView, csrf: string): Html {
  const active = t.state === 'active';
  return html`<tr data-terminal-id="${t.terminalId}" data-state="${t.state}"><td>${t.name}</td><td>${t.terminalId}</td><td>${when(t.createdAt)}</td>
    <td>${active ? terminalStatus(t, csrf) : html`unpaired ${when(t.unpairedAt)}`}</td>
    <td>${
      active
        ? html`<form method="post" action="/merchant/terminals/${t.terminalId}/rename"><input type="hidden" name="csrf" value="${csrf}">
        <input name="name" aria-label="New name" value="${t.name}" maxlength="64" required> <button type="submit">Rename</button></form>
      <form method="post" action="/merchant/terminals/${t.terminalId}/unpair"><input type="hidden" name="csrf" value="${csrf}">
        <label><input type="checkbox" name="confirm" value="yes" required> It can never take payments again</label>
        <button class="danger" type="submit">Unpair</button></form>`
        : ''
    }</td></tr>`;
}

/** A suspended till says so, with the way back (core/pay-password.ts). */
function terminalStatus(t: TerminalView, csrf: string): Html {
  if (t.suspendedAt === null) return html`<span data-status="active">active</span>`;
  return html`<span class="status-revoked" data-status="suspended">suspended since ${when(t.suspendedAt)}: wrong payment passwords for several payers</span>
    <form method="post" action="/merchant/terminals/${t.terminalId}/lift-suspension"><input type="hidden" name="csrf" value="${csrf}">
      <label><input type="checkbox" name="confirm" value="yes" required> I checked this terminal and trust it again</label>
      <button type="submit">Lift suspension</button></form>`;
}

export function errorPage(e: { status: number; name: string; message: string }): string {
  return page(
    'Error',
    html`<p class="error" role="alert"><strong>${e.name}</strong>: ${e.message}</p><p><a href="/login">Back</a></p>`,
  );
}
