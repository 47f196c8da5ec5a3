/**
 * The owner's dashboard: rewards. Points per card (from points promotions, on what was
 * charged) and, for each payment a promotion changed, the list amount, the discount and what
 * was charged, with what refunds have taken back (docs/CHECKOUT.md, "Promotions").
 */
import type { RewardsView } from '../api/views.ts';
import { formatAmount } from '../core/views.ts';
import { type Html, html, when } from './html.ts';

export function rewardsSection(r: RewardsView): Html {
  return html`<h2 id="rewards">Rewards</h2>
    ${
      r.balances.length === 0
        ? html`<p>No points yet.</p>`
        : html`<table id="reward-balances"><tr><th>Card</th><th>Points</th></tr>
      ${r.balances.map((b) => html`<tr><td>${b.issuer} •••• ${b.last4}</td><td class="points">${String(b.points)}</td></tr>`)}</table>`
    }
    ${
      r.uses.length === 0
        ? ''
        : html`<table id="promotions"><tr><th>When</th><th>Promotion</th><th>List</th><th>Discount</th><th>Charged</th><th>Points</th><th>Reversed</th></tr>
      ${r.uses.map((u) => {
        const c = u.currency;
        const reversed =
          u.discountReversed > 0 || u.pointsReversed > 0
            ? `${formatAmount(u.discountReversed, c)}, ${u.pointsReversed} points`
            : '';
        return html`<tr><td>${when(u.paidAt)}</td><td>${u.label ?? 'points'}</td><td>${formatAmount(u.listAmount, c)}</td>
        <td>${formatAmount(u.discount, c)}</td><td>${formatAmount(u.charged, c)}</td><td>${String(u.points)}</td><td>${reversed}</td></tr>`;
      })}</table>`
    }`;
}
