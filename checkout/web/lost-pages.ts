/**
 * The lost-band pages for someone who cannot (or should not have to) log in: the
 * turn-off code form, what it turned off, and the page that shows a new code once.
 */
import type { BandView } from '../core/views.ts';
import { type Html, html, page } from './html.ts';

export function lostPage(error?: string, username = ''): string {
  return page(
    'Lost your band?',
    html`
    ${error ? html`<p class="error" role="alert">${error}</p>` : ''}
    <p>Turn wrist payments off with the turn-off code you were given when you enrolled the band.
      No password needed. The code works once.</p>
    <form method="post" action="/lost" id="turn-off">
      <label>Username <input name="username" autocomplete="username" value="${username}" required></label>
      <label>Turn-off code <input name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
        placeholder="XXXX-XXXX-XXXX" minlength="12" maxlength="20" required></label>
      <button class="danger" type="submit">Turn off wrist payments</button>
    </form>
    <p>Know your password? <a href="/login">Log in</a> and turn it off from your dashboard.</p>
    <form method="post" action="/login/band" id="band-login">
      <button type="submit">Sign in with your band</button>
      <small>Another band of yours registered for sign-in works too; then turn the lost one off from your dashboard.</small>
    </form>`,
  );
}

export function turnedOffPage(bands: BandView[]): string {
  return page(
    'Wrist payments turned off',
    html`
    <p role="status" id="turned-off">Wrist payments are off for ${bands.length === 1 ? 'your band' : `your ${bands.length} bands`}.
      A band that is turned off pays nothing, transit fares included, and is wiped the next time any terminal sees it.</p>
    <ul>${bands.map((b) => html`<li data-device-id="${b.deviceId}" data-status="${b.status}">${b.name} <code class="device-id">${b.deviceId}</code></li>`)}</ul>
    <p>The code is used up. <a href="/login">Log in</a> for a new one.</p>`,
  );
}

export function newCodePage(code: string, nav: Html): string {
  return page(
    'Your new turn-off code',
    html`
    <p>Your new turn-off code (the old one no longer works):</p>
    <p class="code" id="turn-off-code">${code}</p>
    <p>Keep it somewhere safe, away from the band: with it, anyone who knows your username can turn
      your bands off at /lost. It is shown only now.</p>
    <p><a href="/dashboard">Back to your bands</a></p>`,
    nav,
  );
}
