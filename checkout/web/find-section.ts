/**
 * "Find my band" on the owner's dashboard: where the checkout last heard from the band (named
 * as the API names it; never a place: the checkout knows none), its battery then when the band
 * said, and the switch that makes it ring and flash at its next contact (core/find-band.ts).
 */
import type { FoundBandView } from '../api/views.ts';
import { type Html, html, when } from './html.ts';

function lastSeenLine(found: FoundBandView | undefined): Html {
  const seen = found?.lastSeen;
  if (!seen) return html`<p class="last-seen" data-last-seen="never">Last seen: never, since it was enrolled</p>`;
  const where =
    seen.terminal === null
      ? 'when you unlocked it (not at a terminal)'
      : `at ${seen.merchant ?? 'a merchant'}'s terminal ${seen.terminal}`;
  const battery =
    seen.battery === null
      ? html`<span class="battery" data-battery="unknown">battery not reported</span>`
      : html`<span class="battery" data-battery="${String(seen.battery)}">battery ${String(seen.battery)} %</span>`;
  return html`<p class="last-seen" data-last-seen="${String(seen.at)}">Last seen ${where}, ${when(seen.at)}; ${battery}</p>`;
}

/** The ring switch: for an active band only (a turned-off one is wiped at its next contact instead). */
function ringForm(found: FoundBandView, csrf: string): Html {
  if (found.status !== 'active') return html``;
  const asked = found.ringRequestedAt !== null;
  const state = asked
    ? html`<span data-ring="asked">Asked ${when(found.ringRequestedAt)}: it rings and flashes at its next contact with any terminal.</span>`
    : found.rangAt !== null
      ? html`<span data-ring="rang">Last rang ${when(found.rangAt)}.</span>`
      : html`<span data-ring="none"></span>`;
  return html`<form method="post" action="/bands/${found.deviceId}/ring" class="ring">
    <input type="hidden" name="csrf" value="${csrf}">
    <input type="hidden" name="ring" value="${asked ? 'off' : 'on'}">
    <button type="submit">${asked ? 'Cancel ringing' : 'Ring it at its next contact'}</button> ${state}
  </form>`;
}

export function findSection(found: FoundBandView | undefined, csrf: string): Html {
  return html`${lastSeenLine(found)}${found ? ringForm(found, csrf) : html``}`;
}
